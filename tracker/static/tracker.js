// Small enhancements; every page works without them.
"use strict";

document.addEventListener("click", (event) => {
  // Print buttons: <button type="button" data-print>Print</button>
  if (event.target.closest("[data-print]")) {
    window.print();
    return;
  }
  // Copy buttons: <button data-copy="#input-id">Copy</button>
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const field = document.querySelector(copy.dataset.copy);
    if (field) {
      field.select();
      const done = () => { copy.textContent = "Copied"; setTimeout(() => { copy.textContent = "Copy"; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
      } else if (document.execCommand("copy")) {
        done();
      }
    }
    event.preventDefault();
  }
});

document.addEventListener("submit", (event) => {
  // Buttons that undo something ask first: <button data-confirm="Revoke this feed?">
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
