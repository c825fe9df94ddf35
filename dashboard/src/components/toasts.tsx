// Short confirmations of what an action did ("Test event sent"), announced to screen readers.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';

type Toast = { id: number; kind: 'info' | 'error'; body: ComponentChildren };
type Notify = (body: ComponentChildren, kind?: Toast['kind']) => void;

const ToastContext = createContext<Notify>(() => {});

export const useNotify = (): Notify => useContext(ToastContext);

let nextId = 0;

export function Toasts({ children }: { children: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = (id: number) => setToasts((all) => all.filter((t) => t.id !== id));
  const notify = useCallback<Notify>((body, kind = 'info') => {
    const id = ++nextId;
    setToasts((all) => [...all.slice(-2), { id, kind, body }]);
    setTimeout(() => dismiss(id), kind === 'error' ? 15_000 : 6_000);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div class="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} class={`toast toast-${toast.kind}`}>
            <div>{toast.body}</div>
            <button type="button" class="link-button" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
