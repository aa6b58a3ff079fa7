// The payment form's niceties. Without this file the form works the same: the table of open
// invoices is always shown, and "Update the list" works out what is left to apply. With it, the
// table shows only when "Choose the invoices" is picked (its inputs are then not sent at all),
// and "Left to apply" follows what is typed.
//
// Amounts are worked out in whole minor units (BigInt), never in floating point; the figure
// shown is for the eye only, the server checks everything again.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-payment-form]");
  if (!form) return;
  const table = form.querySelector("[data-allocation-table]");
  const radios = [...form.querySelectorAll('input[name="allocation"]')];
  const inputs = [...form.querySelectorAll("[data-allocate]")];
  const amount = form.querySelector("#id_amount");
  const left = form.querySelector("[data-left]");

  const choosing = () => radios.some((radio) => radio.checked && radio.value === "choose");

  const toggle = () => {
    if (!table || radios.length === 0) return;
    const show = choosing();
    table.hidden = !show;
    for (const input of inputs) input.disabled = !show;
  };

  // "12.50" -> 1250n for two decimals; null for anything that is not a plain amount.
  const toMinor = (text, decimals) => {
    const match = /^\s*\+?(\d*)(?:\.(\d*))?\s*$/.exec(text);
    if (!match || (match[1] === "" && !match[2])) return null;
    const fraction = match[2] || "";
    if (fraction.length > decimals) return null;
    return BigInt((match[1] || "0") + fraction.padEnd(decimals, "0"));
  };

  const format = (minor, decimals, currency, locale) => {
    const digits = minor.toString().padStart(decimals + 1, "0");
    const exact = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
    try {
      // A string keeps the digits exact; the formatter only adds the symbol and separators.
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(exact);
    } catch {
      return `${currency} ${exact}`;
    }
  };

  let timer = null;
  const recount = () => {
    if (!left || !amount) return;
    const decimals = Number(left.dataset.decimals || "2");
    const currency = left.dataset.currency;
    const locale = (left.dataset.locale || "en").replace("_", "-");
    const total = toMinor(amount.value, decimals);
    let typed = 0n;
    let any = false;
    for (const input of inputs) {
      if (input.value.trim() === "") continue;
      const part = toMinor(input.value, decimals);
      if (part === null) {
        left.textContent = "";
        return;
      }
      typed += part;
      any = true;
    }
    left.classList.remove("over");
    if (total === null || !any) {
      left.textContent = "";
    } else if (typed > total) {
      left.classList.add("over");
      left.textContent = `The amounts add up to ${format(typed - total, decimals, currency, locale)} more than the payment.`;
    } else {
      left.textContent = `Left to apply: ${format(total - typed, decimals, currency, locale)}`;
    }
  };
  // Announced once the typing pauses, not at every key.
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(recount, 400);
  };

  for (const radio of radios) radio.addEventListener("change", toggle);
  for (const input of [amount, ...inputs]) input?.addEventListener("input", later);
  toggle();
});
