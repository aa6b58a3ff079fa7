// The reminder policy editor (templates/reminders/policy_edit.html): "Add a step" adds the row
// in place, and a step's "Preview" fills in the preview without leaving the page, then follows
// that step's wording as it is typed. Without this file both buttons submit the form and the
// server answers with the same result, so nothing depends on it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("policy-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const table = form.querySelector("table.steps-table");
  const total = $("id_steps-TOTAL_FORMS");
  const max = $("id_steps-MAX_NUM_FORMS");
  const template = $("step-template");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
  const FIELDS = ["offset_days", "channel", "tone", "attach_pdf", "subject", "body", "sms_body"];

  // ---- Add a step

  const addButton = form.querySelector("button[data-add-step]");
  if (addButton && table && total && template) {
    addButton.addEventListener("click", (event) => {
      const index = Number(total.value);
      if (max && index >= Number(max.value)) return; // let the server say there is no room
      event.preventDefault();
      const html = template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1));
      const scratch = document.createElement("template");
      scratch.innerHTML = html;
      const row = scratch.content.querySelector("tbody");
      if (!row) return;
      table.appendChild(row);
      total.value = String(index + 1);
      row.querySelector(`[name="steps-${index}-offset_days"]`)?.focus();
    });
  }

  // ---- Preview

  const url = form.dataset.previewUrl;
  const customer = $("preview-customer-select");
  let current = null; // the row index being previewed
  let timer = null;
  let latest = 0;

  function show(id, visible) {
    const element = $(id);
    if (element) element.hidden = !visible;
  }

  function setText(id, text) {
    const element = $(id);
    if (element) element.textContent = text;
  }

  function control(index, name) {
    return form.elements.namedItem(`steps-${index}-${name}`);
  }

  async function refresh(index, focus) {
    const body = new URLSearchParams();
    // Read the controls directly: a reader's fields are disabled, and disabled fields are
    // left out of FormData.
    for (const name of FIELDS) {
      const element = control(index, name);
      if (!element) continue;
      if (element.type === "checkbox") {
        if (element.checked) body.append(name, "on");
      } else {
        body.append(name, element.value);
      }
    }
    if (customer) body.append("customer", customer.value);
    const request = ++latest;
    let data;
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      if (response.status !== 200 && response.status !== 400) throw new Error(String(response.status));
      data = await response.json();
    } catch {
      if (focus) form.requestSubmit(form.querySelector(`button[data-preview-step="${index}"]`));
      return; // the server renders the same preview
    }
    if (request !== latest) return; // an older answer arriving after a newer one
    show("preview-empty", false);
    if (data.errors) {
      const messages = Object.values(data.errors).flat().map((error) => error.message);
      setText("preview-error", `Step ${Number(index) + 1}: ${messages.join(" ")}`);
      show("preview-error", true);
      show("preview-body", false);
    } else {
      fill(index, data.preview);
    }
    if (focus) $("preview-heading")?.focus();
  }

  function fill(index, preview) {
    show("preview-error", false);
    show("preview-body", true);
    setText("preview-step", String(Number(index) + 1));
    setText("preview-customer", preview.customer);
    setText("preview-invoice", preview.invoice);
    show("preview-invoice-wrap", Boolean(preview.invoice));
    const email = preview.email;
    show("preview-email", Boolean(email));
    if (email) {
      setText("preview-email-to", email.recipient);
      show("preview-email-to-wrap", Boolean(email.recipient));
      setText("preview-subject", email.subject);
      // Server-rendered from escaped text: every character of the wording and the values is
      // escaped before the few tags (p, br, a) are added.
      $("preview-html").innerHTML = email.html;
      $("preview-text").innerText = email.text;
    }
    const sms = preview.sms;
    show("preview-sms", Boolean(sms));
    if (sms) {
      setText("preview-sms-to", sms.recipient);
      show("preview-sms-to-wrap", Boolean(sms.recipient));
      $("preview-sms-text").innerText = sms.text;
      const note = sms.sms.unicode
        ? " (contains characters outside the basic SMS alphabet, so each SMS holds 70)"
        : "";
      setText("preview-sms-length", `${sms.sms.characters} characters, ${sms.sms.segments} SMS${note}`);
    }
  }

  function soon() {
    if (current === null) return;
    clearTimeout(timer);
    timer = setTimeout(() => refresh(current, false), 300);
  }

  if (url) {
    form.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-preview-step]");
      if (!button) return;
      event.preventDefault();
      current = button.dataset.previewStep;
      refresh(current, true);
    });
    // Typing in the step being previewed, or choosing another customer, updates the preview.
    form.addEventListener("input", (event) => {
      if (current !== null && event.target.name?.startsWith(`steps-${current}-`)) soon();
    });
    form.addEventListener("change", (event) => {
      if (event.target === customer || event.target.name?.startsWith(`steps-${current}-`)) soon();
    });
  }
});
