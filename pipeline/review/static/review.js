// The review page: decide on each change with the keyboard or the buttons.
// Every decision is sent at once; the server answers with the state of all items, and an
// answer older than one already shown is ignored. Text is only ever set as textContent.
"use strict";

(() => {
  const name = document.body.dataset.document;
  const api = `/api/d/${encodeURIComponent(name)}`;
  const data = JSON.parse(document.getElementById("items-data").textContent);
  const items = new Map(data.items.map((item) => [item.key, item]));
  const order = data.items.map((item) => item.key); // the list's order: lowest score first
  const pending = new Set(); // decided here, answer not back yet
  const STATUSES = ["applied", "suggestion", "accepted", "rejected", "edited", "learned"];
  let version = data.version;
  let current = -1;
  let editing = null;

  const $ = (id) => document.getElementById(id);
  const li = (key) => $(`i-${key}`);
  const mark = (key) => $(`m-${key}`);
  const isOpen = (key) => items.get(key).open && !pending.has(key);

  function setStatus(el, status) {
    if (!el) return;
    el.classList.remove(...STATUSES);
    el.classList.add(status);
  }

  function render(item) {
    const row = li(item.key);
    setStatus(row, item.status);
    setStatus(mark(item.key), item.status);
    if (mark(item.key)) mark(item.key).textContent = item.shown;
    row.querySelector(".state").textContent = item.label;
    row.querySelector(".shown").textContent =
      item.status === "edited" || item.status === "learned" ? `: ${item.shown}` : "";
    row.querySelector(".decided").textContent =
      item.who ? `(${item.who}, ${item.at.slice(0, 16).replace("T", " ")})` : "";
  }

  function showOpen() {
    let open = 0;
    for (const key of order) if (isOpen(key)) open += 1;
    $("open-count").textContent = String(open);
  }

  function message(text) {
    $("message").textContent = text;
  }

  function select(index) {
    if (index < 0 || index >= order.length) return;
    if (current >= 0) {
      li(order[current]).classList.remove("current");
      mark(order[current])?.classList.remove("current");
    }
    current = index;
    const key = order[current];
    li(key).classList.add("current");
    li(key).scrollIntoView({ block: "nearest" });
    const m = mark(key);
    if (m) {
      m.classList.add("current");
      m.scrollIntoView({ block: "nearest" });
    }
  }

  function nextOpen(from) {
    for (let step = 1; step <= order.length; step += 1) {
      const index = (from + step) % order.length;
      if (isOpen(order[index])) return index;
    }
    return -1;
  }

  function update(answer) {
    if (answer.version < version) return; // an answer overtaken by a later one
    version = answer.version;
    for (const item of answer.items) {
      items.set(item.key, item);
      render(item);
    }
    showOpen();
  }

  async function post(path, body) {
    const response = await fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      // A refused request says why (a 400 carries {"error": reason}).
      const answer = await response.json().catch(() => ({}));
      throw new Error(answer.error || `${response.status} ${response.statusText}`);
    }
    return response.json();
  }

  async function decide(action, text) {
    if (current < 0) return;
    const key = order[current];
    pending.add(key);
    const next = nextOpen(current);
    if (next >= 0) select(next);
    showOpen();
    try {
      update(await post("/decide", { key, action, text }));
      message("");
    } catch (error) {
      message(`Beslutet sparades inte (${error.message}). Försök igen.`);
    } finally {
      pending.delete(key);
      showOpen();
    }
  }

  async function acceptAbove() {
    const score = Number($("min-score").value);
    if (!(score >= 0 && score <= 1)) {
      message("Gränsen ska vara mellan 0 och 1.");
      return;
    }
    try {
      const answer = await post("/accept-above", { score });
      update(answer);
      message(`${answer.accepted} godkända.`);
      if (current < 0 || !isOpen(order[current])) select(nextOpen(current));
    } catch (error) {
      message(`Inget sparades (${error.message}).`);
    }
  }

  async function exportDocument() {
    try {
      const answer = await post("/export", {});
      message(`Exporterat: ${answer.files.join(", ")}`);
    } catch (error) {
      message(`Exporten misslyckades (${error.message}).`);
    }
  }

  function startEdit() {
    if (current < 0) return;
    const key = order[current];
    const row = li(key);
    const input = document.createElement("input");
    input.type = "text";
    input.className = "edit";
    input.value = items.get(key).shown;
    input.setAttribute("aria-label", "Ny text");
    row.querySelector(".actions").append(input);
    editing = input;
    input.focus();
    input.select();
  }

  function endEdit(save) {
    const text = editing.value;
    editing.remove();
    editing = null;
    if (save) decide("edit", text);
  }

  function onKey(event) {
    if (editing) {
      if (event.key === "Enter") endEdit(true);
      else if (event.key === "Escape") endEdit(false);
      else return;
      event.preventDefault();
      return;
    }
    if (event.target.tagName === "INPUT" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const actions = {
      a: () => decide("accept"),
      r: () => decide("reject"),
      e: startEdit,
      A: acceptAbove,
      j: () => select(current + 1),
      ArrowDown: () => select(current + 1),
      k: () => select(current - 1),
      ArrowUp: () => select(current - 1),
      "?": () => { $("help").hidden = !$("help").hidden; },
    };
    if (!(event.key in actions)) return;
    event.preventDefault();
    actions[event.key]();
  }

  function onClick(event) {
    const button = event.target.closest("button[data-action]");
    const target = event.target.closest("[data-key]");
    if (!target) return;
    select(order.indexOf(target.dataset.key));
    if (!button) {
      if (target.classList.contains("mark")) event.preventDefault();
      return;
    }
    if (button.dataset.action === "edit") startEdit();
    else decide(button.dataset.action);
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", onClick);
  $("accept-above").addEventListener("click", acceptAbove);
  $("export").addEventListener("click", exportDocument);
  $("show-help").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
  if (order.length) select(Math.max(nextOpen(-1), 0));
  showOpen();
})();
