// The customer form's "Add another contact" button. Without this file the form still offers
// two blank contact rows on every load, so nothing depends on it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button[data-add-contact]");
  const template = document.getElementById("contact-row-template");
  const rows = document.getElementById("contact-rows");
  const total = document.getElementById("id_contacts-TOTAL_FORMS");
  const max = document.getElementById("id_contacts-MAX_NUM_FORMS");
  if (!button || !template || !rows || !total) return;

  button.hidden = false;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (max && index >= Number(max.value)) {
      button.disabled = true;
      return;
    }
    const html = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    // Focus the new row's first field, so a keyboard or screen-reader user lands in it.
    rows.lastElementChild?.querySelector("input:not([type=hidden])")?.focus();
  });
});
