// `npm run cli -- <command>`, also the package's `aiplatform-webhooks` command. `listen` is a developer's command
// that talks only to the service's API (src/cli/listen/command.ts); it is dispatched before anything that opens the
// database is loaded. Every other command is an operator's, on the database directly (src/cli/operator.ts).
if (process.argv[2] === 'listen') {
  const { listenMain } = await import('./listen/command.js');
  await listenMain(process.argv.slice(3));
} else {
  await import('./operator.js');
}
