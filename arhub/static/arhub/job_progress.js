// Live progress for a background job (a customer import, an invoice PDF zip, a report
// export). The page works without this file: its Refresh link, or a <noscript> refresh,
// reloads it. With it, the bar follows the worker through the JSON status URL named by
// data-job-progress, and the page reloads once the job is finished to show the result.
// The status answers {status, total, processed, percent, message, finished}.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job-progress]");
  if (!box) return;
  const url = box.dataset.jobProgress;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const refresh = box.querySelector("[data-refresh]");
  const INTERVAL = 1000;
  const GIVE_UP_AFTER = 5; // failed polls in a row, then the Refresh link comes back
  let failures = 0;
  let announced = null;

  if (refresh) refresh.hidden = true;

  const show = (state) => {
    if (state.total) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.processed;
      bar.textContent = `${state.percent}%`;
    } else {
      // No total yet: an indeterminate bar, and the text says how many so far.
      bar.removeAttribute("value");
    }
    // The text is a live region: update it at each tenth of the way (or each new status), not
    // every second, so a screen reader hears progress without a stream of numbers.
    const tenth = state.total ? Math.floor(state.percent / 10) : Math.floor(state.processed / 5000);
    const step = `${state.status}:${tenth}`;
    if (step !== announced) {
      announced = step;
      text.textContent = state.message;
    }
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const state = await response.json();
      failures = 0;
      if (state.finished) {
        text.textContent = state.message;
        window.location.reload();
        return;
      }
      show(state);
    } catch {
      failures += 1;
      if (failures >= GIVE_UP_AFTER) {
        if (refresh) refresh.hidden = false;
        return;
      }
    }
    window.setTimeout(poll, INTERVAL);
  };

  window.setTimeout(poll, INTERVAL);
});
