// Material patch (build_scripts/material_patches.py), prepended to Material's search worker at
// build time (build_scripts/search_worker.py): the Lunr index is built at a reader's first query,
// not while the page and the engine start. Material's code is unchanged; it registers its handler
// and answers through the two globals wrapped here.
// Material's private message types (SearchMessageType): 0 setup, 1 ready, 2 query, 3 result.
(() => {
  "use strict";
  const SETUP = 0;
  const READY = 1;
  const QUERY = 2;
  const RESULT = 3;
  const post = self.postMessage.bind(self);
  const listen = self.addEventListener.bind(self);
  const material = []; // Material's message listeners
  const waiting = []; // messages held until the index is built, in arrival order
  let setup = null; // Material's setup message (the index's documents and config)
  let index = "none"; // none | building | built; read by tests/browser/test_search.py

  Object.defineProperty(self, "netSearchIndex", { get: () => index });

  function deliver(data) {
    const event = new MessageEvent("message", { data });
    for (const listener of material) listener.call(self, event);
  }

  function buildIfAsked() {
    if (index !== "none" || setup === null || waiting.length === 0) return;
    index = "building";
    deliver(setup);
  }

  self.addEventListener = (type, listener, options) => {
    if (type === "message") material.push(listener);
    else listen(type, listener, options);
  };

  self.postMessage = (message, ...rest) => {
    if (message && message.type === READY && index === "building") {
      // Material has built the index: the page was told long ago; answer what waited.
      index = "built";
      for (const data of waiting.splice(0)) deliver(data);
      return;
    }
    post(message, ...rest);
  };

  listen("message", (event) => {
    const message = event.data;
    if (index === "built") {
      deliver(message);
    } else if (message && message.type === SETUP) {
      setup = message;
      post({ type: READY });
      buildIfAsked();
    } else if (
      message && message.type === QUERY && message.data === "" && waiting.length === 0
    ) {
      // Material sends the empty query when the page starts; its answer needs no index.
      post({ type: RESULT, data: { items: [] } });
    } else {
      waiting.push(message);
      buildIfAsked();
    }
  });
})();
