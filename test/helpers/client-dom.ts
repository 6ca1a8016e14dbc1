/**
 * A jsdom window for tests that run in the node environment: `window`, `document` and
 * `localStorage` become globals while everything else (TextEncoder, Uint8Array, crypto) stays
 * Node's, so an in-process relay (jose) keeps working next to browser APIs.
 *
 *   const dom = await installDom();   // afterEach: dom.remove()
 */
interface DomWindow {
  readonly document: Document;
  readonly localStorage: Storage;
  readonly Event: typeof Event;
  dispatchEvent(event: Event): boolean;
  close(): void;
}

type JsdomModule = { JSDOM: new (html: string, options: { url: string }) => { window: DomWindow } };

const GLOBALS = ["window", "document", "localStorage"] as const;

export async function installDom(url = "http://localhost/"): Promise<{ window: DomWindow; remove(): void }> {
  const specifier = "jsdom";
  const { JSDOM } = (await import(specifier)) as JsdomModule;
  const { window } = new JSDOM("<!doctype html><html><body></body></html>", { url });
  const target = globalThis as Record<string, unknown>;
  const saved = GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(target, name)] as const);
  const values = { window, document: window.document, localStorage: window.localStorage };
  for (const name of GLOBALS)
    Object.defineProperty(target, name, { value: values[name], configurable: true, writable: true });
  return {
    window,
    remove() {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(target, name, descriptor);
        else delete target[name];
      }
      window.close();
    },
  };
}
