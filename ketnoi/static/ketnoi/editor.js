// Translation editor keyboard: Ctrl/Cmd+Enter saves the segment and moves to the next one.
(function () {
  function focusNext(from) {
    var areas = Array.prototype.slice.call(document.querySelectorAll("textarea.unit-text"));
    var i = areas.indexOf(from);
    if (i >= 0 && areas[i + 1]) { areas[i + 1].focus(); }
  }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.matches && e.target.matches("textarea.unit-text")) {
      e.preventDefault();
      var form = e.target.form, area = e.target;
      if (form.requestSubmit) { form.requestSubmit(form.querySelector("button[value=save]")); } else { form.submit(); }
      focusNext(area);
    }
  });
  var link = document.getElementById("next-open-link");
  if (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var open = document.querySelector(".unit.open textarea.unit-text");
      if (open) { open.focus(); open.scrollIntoView({block: "center"}); }
    });
  }
})();
