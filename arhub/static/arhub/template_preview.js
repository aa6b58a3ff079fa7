// Settings -> Messages: the preview follows the wording as it is typed. Without this file the
// Preview button renders the same preview on the server.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("template-form");
  if (!form || !form.dataset.previewUrl) return;
  const $ = (id) => document.getElementById(id);
  const field = (name) => form.elements.namedItem(name);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]")?.value
    ?? document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] ?? "";
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

  async function refresh() {
    const body = new URLSearchParams();
    // Read the controls directly: a read-only viewer's fields are disabled, and disabled
    // fields are left out of FormData.
    for (const name of ["subject", "body", "customer"]) {
      const control = field(name);
      if (control) body.append(name, control.value);
    }
    const request = ++latest;
    let data;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      if (response.status !== 200 && response.status !== 400) throw new Error(String(response.status));
      data = await response.json();
    } catch {
      return; // The Preview button still works; keep what is shown.
    }
    if (request !== latest) return; // An older answer arriving after a newer one.
    show("preview-empty", false);
    if (data.errors) {
      const messages = Object.values(data.errors).flat().map((error) => error.message);
      setText("preview-error", messages.join(" "));
      show("preview-error", true);
      return;
    }
    const preview = data.preview;
    show("preview-error", false);
    show("preview-body", true);
    setText("preview-customer", preview.customer);
    setText("preview-recipient", preview.recipient);
    show("preview-recipient-wrap", Boolean(preview.recipient));
    setText("preview-subject", preview.subject);
    // innerText keeps the line breaks of the text part, as <br>, without any markup.
    const text = $("preview-text");
    if (text) text.innerText = preview.text;
    const html = $("preview-html");
    // Server-rendered from escaped text: every character of the wording and the values is
    // escaped before the few tags (p, br, a) are added.
    if (html) html.innerHTML = preview.html;
    if (preview.sms) {
      const note = preview.sms.unicode
        ? " (contains characters outside the basic SMS alphabet, so each SMS holds 70)"
        : "";
      setText("preview-sms", `${preview.sms.characters} characters, ${preview.sms.segments} SMS${note}`);
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  refresh();
});
