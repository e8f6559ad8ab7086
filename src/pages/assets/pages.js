// pages.js: the only script of the pages (src/pages/), for their live parts. The pages work
// without it; it refreshes what changes:
// - an element with data-poll="URL" is refreshed from URL (JSON) every second while it says
//   it is not done: fields [data-field=name] get the values, a <progress> its value and max
//   (from `progress`, or processed + failed, and `total`); at the end the page is reloaded when
//   the element says data-reload-when-done="1" (else its data-done becomes "true"); its
//   data-state follows the JSON's `state`.
// It runs under a Content-Security-Policy that allows no inline script.
"use strict";

function fill(root, data) {
  for (const el of root.querySelectorAll("[data-field]")) {
    const value = data[el.dataset.field];
    if (value !== undefined && value !== null) el.textContent = String(value);
  }
  const bar = root.querySelector("progress");
  if (bar && typeof data.total === "number" && data.total > 0) {
    bar.max = data.total;
    // `progress` when the JSON gives it (Salesforce's processed count includes the failed rows).
    const done = typeof data.progress === "number" ? data.progress
                                                   : (data.processed || 0) + (data.failed || 0);
    bar.value = Math.min(data.total, done);
  }
  if (data.state) root.dataset.state = data.state;
}

function poll(root) {
  const url = root.dataset.poll;
  const tick = async () => {
    let data;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.status === 401) { window.location.assign("/login"); return; }
      if (!res.ok) { setTimeout(tick, 2000); return; }
      data = await res.json();
    } catch (e) {
      setTimeout(tick, 2000);
      return;
    }
    fill(root, data);
    if (data.done) {
      // The page drawn at the end lists the failed rows and offers the next steps.
      // Marked done only when it stays: a waiting test then reads the final page, not this one.
      // data-reload-to: where to go instead (the page without its one-time ?notice=).
      if (root.dataset.reloadWhenDone === "1") {
        window.location.replace(root.dataset.reloadTo || window.location.href);
      }
      else root.dataset.done = "true";
      return;
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 500);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("[data-poll]")) poll(el);
});
