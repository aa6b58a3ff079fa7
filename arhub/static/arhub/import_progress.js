// Live progress for a customer import. The page works without this file: its Refresh link
// reloads it. With it, the bar follows the import and the page reloads to show the result.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-import-progress]");
  if (!box) return;
  const url = box.dataset.importProgress;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const refresh = box.querySelector("[data-refresh]");
  const INTERVAL = 1000;
  const GIVE_UP_AFTER = 5; // failed polls in a row, then the Refresh link comes back
  let failures = 0;
  let announcedStep = null;

  if (refresh) refresh.hidden = true;

  const show = (state) => {
    if (state.status === "running") {
      bar.max = Math.max(state.total, 1);
      bar.value = state.processed;
    }
    bar.textContent = `${state.percent}%`;
    // The text is a live region: say it at each tenth of the way, not at every poll, so a
    // screen reader hears how it goes without a stream of numbers.
    const step = `${state.status}:${Math.floor(state.percent / 10)}`;
    if (step !== announcedStep) {
      announcedStep = step;
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
