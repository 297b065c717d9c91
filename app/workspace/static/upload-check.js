// The item page's upload forms, enhanced: a file over the photo limit is refused here, before a
// byte is sent, with the words of the server's 413 page. (The server answers an oversized body
// before reading it, and a browser still sending may then see a reset connection, not the page.)
// Without this script the forms work as before; the server keeps its own check.
"use strict";

for (const form of document.querySelectorAll("form[data-max-bytes]")) {
  const input = form.querySelector('input[type="file"]');
  const message = document.getElementById(form.dataset.message || "");
  const limit = Number(form.dataset.maxBytes);
  if (!input || !message || !(limit > 0)) continue;

  const tooLarge = () => Array.from(input.files || []).some((file) => file.size > limit);
  const show = (over) => {
    message.textContent = over ? form.dataset.tooLarge : "";
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  input.addEventListener("change", () => show(tooLarge()));
  form.addEventListener("submit", (event) => {
    if (!tooLarge()) return;
    event.preventDefault();
    show(true);
    input.focus(); // the next step by keyboard: choose another file
  });
}
