// Live preview of a deadline computed by a rule; the Preview button does the same without script.
"use strict";

(() => {
  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  const rule = form.querySelector("#rule-rule");
  const event = form.querySelector("#rule-trigger_event");
  const box = form.querySelector("#rule-preview");
  let asked = 0;

  const element = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  const show = (nodes) => {
    box.replaceChildren(...nodes);
    box.hidden = nodes.length === 0;
  };

  const refresh = async () => {
    if (!rule.value || !event.value) { show([]); return; }
    const mine = ++asked;
    const url = `${form.dataset.preview}?${new URLSearchParams({ rule: rule.value, event: event.value })}`;
    let answer;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      answer = await response.json();
    } catch {
      return;  // the Preview button still works
    }
    if (mine !== asked) return;  // a later choice already asked again
    if (answer.error) { show([element("p", answer.error.message, "error")]); return; }
    const due = element("p", "Due ");
    due.append(element("span", answer.due, "due"), element("span", ` · ${answer.rule} — ${answer.title}`, "muted"));
    const steps = element("ol", "", "steps");
    answer.steps.forEach((step) => steps.append(element("li", step)));
    show([due, ...(answer.note ? [element("p", answer.note, "error")] : []), steps, element("p", "Not saved yet.", "hint")]);
  };

  rule.addEventListener("change", refresh);
  event.addEventListener("change", refresh);
})();
