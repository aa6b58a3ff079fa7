// The invoice list's "select all on this page" box. Without this file the box still works:
// the server then takes every invoice of the page. With it, the box ticks the rows, shows
// "some" when only some are ticked, and the count of selected invoices is announced.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  const all = form.querySelector("[data-select-all]");
  const rows = [...form.querySelectorAll("[data-row-select]")];
  const count = form.querySelector("[data-selected-count]");
  if (!all || rows.length === 0) return;

  const update = () => {
    const ticked = rows.filter((box) => box.checked).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
    if (count) count.textContent = ticked ? `${ticked} of ${rows.length} selected` : "";
  };

  all.addEventListener("change", () => {
    for (const box of rows) box.checked = all.checked;
    update();
  });
  for (const box of rows) box.addEventListener("change", update);
  update();
});
