// What ipywidgets cannot say in their own state, done in the page around this package's widgets:
// keyboard reach and accessible names (WCAG 2.2 AA), validity for assistive technology, grids whose
// header scrolls with their body, and "show me this part now" from the kernel.
// Every fix is idempotent: it runs again whenever the widget's DOM changes.

const MARK = "aoKeys";

function fix(root) {
  // Font Awesome glyphs are decoration: without this a button's accessible name starts with a
  // private-use character ("\uf002 Find orders").
  for (const icon of root.querySelectorAll("button i.fa, button .fa, .widget-upload i.fa")) {
    if (icon.getAttribute("aria-hidden") !== "true") icon.setAttribute("aria-hidden", "true");
  }
  // Accordion headers (Lumino) reached by Tab, announced as buttons with their state, opened by Enter/Space.
  for (const head of root.querySelectorAll(".jupyter-widget-Collapse-header, .lm-Collapse-header, .p-Collapse-header")) {
    if (head.getAttribute("tabindex") !== "0") head.setAttribute("tabindex", "0");
    if (head.getAttribute("role") !== "button") head.setAttribute("role", "button");
    const box = head.parentElement;
    const open = !!box && /Collapse-open/.test(box.className);
    if (head.getAttribute("aria-expanded") !== String(open)) head.setAttribute("aria-expanded", String(open));
    if (!head.dataset[MARK]) {
      head.dataset[MARK] = "1";
      head.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); head.click(); }
      });
    }
  }
  // A tab strip keeps one tab in the Tab order: the selected one (roving tabindex).
  for (const tab of root.querySelectorAll(".lm-TabBar-tab, .p-TabBar-tab")) {
    const want = /mod-current/.test(tab.className) ? "0" : "-1";
    if (tab.getAttribute("tabindex") !== want) tab.setAttribute("tabindex", want);
  }
  // Inputs the kernel marked invalid (class ao-invalid on the widget) say so, and point at the reason.
  for (const box of root.querySelectorAll(".ao-validated")) {
    const input = box.querySelector("input, textarea");
    if (!input) continue;
    const bad = box.classList.contains("ao-invalid");
    if (input.getAttribute("aria-invalid") !== String(bad)) input.setAttribute("aria-invalid", String(bad));
    const described = [...box.classList].find((c) => c.startsWith("ao-describedby-"));
    if (described) {
      const id = described.slice("ao-describedby-".length);
      if (input.getAttribute("aria-describedby") !== id) input.setAttribute("aria-describedby", id);
    }
  }
  // Grid rows announce whether they are selected (DataTables marks them with a class only), and a grid is one
  // stop in the Tab order (roving tabindex): Select's keyboard mode makes every row a Tab stop, so getting past
  // a grid of 178 orders took 178 presses. Arrows move between rows; Tab leaves the grid.
  // Inside a grid the arrow keys, Enter and Space are the grid's: JupyterLab's notebook shortcuts (ArrowDown moves
  // to the next cell) would take the focus out of it. Lumino skips shortcuts for a target carrying this
  // attribute, and the target is the focused element itself (a row, a sort header), so each one carries it.
  for (const item of root.querySelectorAll(".dt-container :is(tr, th, [tabindex], input, select, button, a)")) {
    if (item.getAttribute("data-lm-suppress-shortcuts") !== "true") item.setAttribute("data-lm-suppress-shortcuts", "true");
  }
  for (const body of root.querySelectorAll("table.dataTable tbody")) {
    const rows = [...body.querySelectorAll(":scope > tr")];
    const current = rows.find((r) => r.dataset.aoCurrent) || rows[0];
    for (const row of rows) {
      const selected = String(row.classList.contains("selected"));
      if (row.getAttribute("aria-selected") !== selected) row.setAttribute("aria-selected", selected);
      if (row.hasAttribute("tabindex")) {
        const want = row === current ? "0" : "-1";
        if (row.getAttribute("tabindex") !== want) row.setAttribute("tabindex", want);
      }
    }
  }
}

function onFocusIn(event) {
  // the row that had focus is where Tab comes back to
  const row = event.target instanceof Element && event.target.closest("table.dataTable tbody > tr");
  if (!row) return;
  for (const other of row.parentElement.querySelectorAll(":scope > tr[data-ao-current]")) {
    if (other !== row) { delete other.dataset.aoCurrent; other.setAttribute("tabindex", "-1"); }
  }
  row.dataset.aoCurrent = "1";
  row.setAttribute("tabindex", "0");
}

function watch(root) {
  let queued = false;
  const run = () => { queued = false; fix(root); };
  const observer = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(run); }
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  // A DataTables header scrolled by focus (Tab through the sort headers) takes its body along.
  const onScroll = (event) => {
    const head = event.target;
    if (!(head instanceof Element) || !head.classList.contains("dt-scroll-head")) return;
    const body = head.parentElement && head.parentElement.querySelector(".dt-scroll-body");
    if (body && body.scrollLeft !== head.scrollLeft) body.scrollLeft = head.scrollLeft;
  };
  root.addEventListener("scroll", onScroll, true);
  root.addEventListener("focusin", onFocusIn);
  fix(root);
  return () => {
    observer.disconnect();
    root.removeEventListener("scroll", onScroll, true);
    root.removeEventListener("focusin", onFocusIn);
  };
}

function render({ model, el }) {
  let stop = () => {};
  let tries = 0;
  // The view is attached to the page after render returns: find the widget it belongs to then.
  const attach = () => {
    const root = el.closest(".adobe-orders");
    if (root) { stop = watch(root); return; }
    if (tries++ < 100) setTimeout(attach, 50);
  };
  attach();
  const reveal = () => setTimeout(() => {
    const root = el.closest(".adobe-orders");
    const target = root && root.querySelector(".ao-reveal");
    if (target) {
      target.scrollIntoView({ block: "start", behavior: "auto" });
      // the first control a user can press: a hidden one (the Upload button beside a frame already loaded is
      // drawn, display none) or a disabled one cannot take focus, and focus() on it would leave it where it was
      const usable = (e) => e.offsetParent !== null && !e.disabled;
      const marked = [...target.querySelectorAll(".ao-reveal-focus button, .ao-reveal-focus input")];
      const focus = marked.concat([...target.querySelectorAll("button")]).find(usable);
      if (focus) focus.focus({ preventScroll: true });
    }
  }, 120);
  model.on("change:reveal_count", reveal);
  return () => { stop(); model.off("change:reveal_count", reveal); };
}

export default { render };
