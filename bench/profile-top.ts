// `node --import tsx bench/profile-top.ts <file.cpuprofile> [n]`: where a V8 CPU profile (written with
// BENCH_PROFILE) spent its busy time: self time by function, and inclusive time by package or source file (each
// sample counted once for every package on its stack). Idle time is left out of the percentages.
import { readFileSync } from 'node:fs';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
const [file, n = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top <file.cpuprofile> [n]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };

const parent = new Map<number, number>();
const byId = new Map<number, Node>();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const child of node.children ?? []) parent.set(child, node.id);
}
const packageOf = ({ url, functionName }: Node['callFrame']) => {
  if (!url) return `(${functionName || 'native'})`;
  if (url.startsWith('node:')) return 'node';
  const inModules = url.split('node_modules/').pop()!;
  if (inModules !== url) return inModules.split('/').slice(0, inModules.startsWith('@') ? 2 : 1).join('/');
  return url.replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
};
const fnOf = ({ functionName, url, lineNumber }: Node['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;

let busy = 0;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (!hits || node.callFrame.functionName === '(idle)') continue;
  busy += hits;
  self.set(fnOf(node.callFrame), (self.get(fnOf(node.callFrame)) ?? 0) + hits);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(root)') continue;
    seen.add(packageOf(frame));
  }
  for (const pkg of seen) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + hits);
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, hits] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    console.log(`${((hits / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`busy samples: ${busy}`);
show('inclusive time by package / source file (% of busy)', inclusive);
show('self time by function (% of busy)', self);
