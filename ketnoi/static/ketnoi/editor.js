// Translation editor keyboard (listed on the page). Keys are read by their physical position
// (event.code) so they work the same with Vietnamese, Thai or Lao keyboard layouts, and only
// combinations that neither Chromium nor Firefox reserve are used.
(function () {
  var pendingFocus = null; // the unit whose box takes the focus back once htmx has swapped it in

  function areas() { return Array.prototype.slice.call(document.querySelectorAll("textarea.unit-text")); }
  function unitOf(el) { return el && el.closest ? el.closest("section.unit") : null; }

  function focusBox(box) {
    if (!box) { return; }
    box.focus();
    var end = box.value.length;
    try { box.setSelectionRange(end, end); } catch (err) { /* readonly boxes */ }
    box.scrollIntoView({block: "nearest"});
  }

  function move(from, step) {
    var list = areas(), i = list.indexOf(from);
    if (i >= 0 && list[i + step]) { focusBox(list[i + step]); }
  }

  function nextOpen(from) {
    var open = Array.prototype.slice.call(document.querySelectorAll(".unit.open textarea.unit-text"));
    var list = areas(), i = from ? list.indexOf(from) : -1;
    var after = open.filter(function (box) { return list.indexOf(box) > i; });
    focusBox(after[0] || open[0]);
  }

  function submit(form, button) {
    if (!form) { return; }
    if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
  }

  function useSuggestion(unit, n) {
    var button = unit && unit.querySelector('button[data-suggestion="' + n + '"]');
    if (!button) { return false; }
    pendingFocus = unit.id;
    submit(button.form, button);
    return true;
  }

  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("textarea.unit-text")) { return; }
    var ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key === "Enter") {
      e.preventDefault();
      var value = e.shiftKey ? "draft" : "save";
      submit(box.form, box.form.querySelector("button[value=" + value + "]"));
      if (e.shiftKey) { pendingFocus = unitOf(box).id; } else { move(box, 1); }
      return;
    }
    var digit = /^Digit([1-9])$/.exec(e.code || "");
    if (ctrl && e.shiftKey && digit) {
      if (useSuggestion(unitOf(box), digit[1])) { e.preventDefault(); }
      return;
    }
    if (e.altKey && !ctrl && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      if (e.shiftKey && e.key === "ArrowDown") { nextOpen(box); } else { move(box, e.key === "ArrowDown" ? 1 : -1); }
    }
  });

  // A suggestion used with the mouse keeps the translator in the same segment too.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-suggestion]") : null;
    if (button) { pendingFocus = unitOf(button).id; }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pendingFocus) { return; }
    var unit = document.getElementById(pendingFocus);
    pendingFocus = null;
    if (unit) { focusBox(unit.querySelector("textarea.unit-text")); }
  });

  var link = document.getElementById("next-open-link");
  if (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      nextOpen(null);
    });
  }
})();
