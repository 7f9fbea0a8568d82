// The article editor's formatting buttons: they write the plain-text markup the server turns into
// sanitised HTML (## heading, **bold**, *italic*, - list, 1. list, [text](url)); no HTML is typed.
(function () {
  function lineStart(text, at) { return text.lastIndexOf("\n", at - 1) + 1; }

  function apply(box, button) {
    var start = box.selectionStart, end = box.selectionEnd, text = box.value;
    var chosen = text.slice(start, end), before = text.slice(0, start), after = text.slice(end);
    var insert, caretFrom, caretTo;
    if (button.dataset.wrap) {
      var mark = button.dataset.wrap;
      insert = mark + chosen + mark;
      caretFrom = start + mark.length; caretTo = caretFrom + chosen.length;
    } else if (button.dataset.prefix) {
      var from = lineStart(text, start), prefix = button.dataset.prefix;
      var block = text.slice(from, end).split("\n").map(function (line) { return prefix + line; }).join("\n");
      box.value = text.slice(0, from) + block + after;
      box.setSelectionRange(from + block.length, from + block.length);
      box.focus();
      return;
    } else {
      insert = "[" + (chosen || "…") + "](https://)";
      caretFrom = start + insert.length - 9; caretTo = start + insert.length - 1;
    }
    box.value = before + insert + after;
    box.setSelectionRange(caretFrom, caretTo);
    box.focus();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".markup-tools"), function (tools) {
    var box = document.getElementById(tools.dataset.for);
    if (!box) { return; }
    tools.hidden = false;
    tools.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (button) { e.preventDefault(); apply(box, button); }
    });
  });
})();
