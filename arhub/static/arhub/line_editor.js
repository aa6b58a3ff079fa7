// "Add another line" in the invoice and recurring invoice editors (templates/invoicing/_lines.html),
// without a round trip to the server. Without this file the button submits the form and the
// page comes back with one more line, so nothing depends on it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button[data-add-line]");
  const template = document.getElementById("line-template");
  const rows = document.getElementById("line-rows");
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const max = document.getElementById("id_lines-MAX_NUM_FORMS");
  if (!button || !template || !rows || !total) return;

  button.addEventListener("click", (event) => {
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return; // let the server say there is no room
    event.preventDefault();
    const html = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    // A new line starts as one item, like the server's blank line.
    const line = rows.lastElementChild;
    const quantity = line?.querySelector(`[name="lines-${index}-quantity"]`);
    if (quantity && !quantity.value) quantity.value = "1";
    // Focus the new line's description, so a keyboard or screen-reader user lands in it.
    line?.querySelector(`[name="lines-${index}-description"]`)?.focus();
  });
});
