// A grid's JavaScript, stored once per notebook: itables' module (about 600 KB, plus 100 KB of CSS) lives in
// one shared GridCode model; each grid carries only this loader, which imports that module once per page
// and hands it the grid. Saved notebooks keep one copy instead of one per grid.

// Shared by every grid of the page: anywidget imports this loader once per grid, each a module of its own.
const loaded = (globalThis.__adobeOrdersGridModules ??= new Map());

function codeId(model) {
  const ref = model.get("_code") || "";
  return ref.startsWith("IPY_MODEL_") ? ref.slice("IPY_MODEL_".length) : ref;
}

function load(model) {
  const id = codeId(model);
  if (!loaded.has(id)) {
    loaded.set(id, (async () => {
      const code = await model.widget_manager.get_model(id);
      if (!document.getElementById("ao-grid-css")) {
        const style = document.createElement("style");
        style.id = "ao-grid-css";
        style.textContent = code.get("css");
        document.head.appendChild(style);
      }
      const url = URL.createObjectURL(new Blob([code.get("esm")], { type: "text/javascript" }));
      const module = await import(/* webpackIgnore: true */ url);
      return module.default;
    })());
  }
  return loaded.get(id);
}

export default {
  async initialize(context) {
    const grid = await load(context.model);
    return grid.initialize ? grid.initialize(context) : undefined;
  },
  async render(context) {
    const grid = await load(context.model);
    return grid.render(context);
  },
};
