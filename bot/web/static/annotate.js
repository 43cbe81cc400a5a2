// One "Annotate" control that follows the selected answer on the session page (issue 14).
// Without this file every answer has its own "Annotate" link, which opens the note form
// under it (a plain page load); with it those links are hidden and a single button moves to
// the answer that was clicked, focused or had text selected in it. The page's
// Content-Security-Policy allows this file and no inline script.
"use strict";

(function () {
  const follow = document.getElementById("annotate-follow");
  const form = document.getElementById("annotate-form");
  if (!follow || !form) {
    return;
  }
  const lineField = form.querySelector('input[name="line_id"]');
  const rows = Array.from(document.querySelectorAll("article.answer-row[data-line]"));
  let selected = null;

  document.body.classList.add("js-annotate");

  function select(row) {
    if (!row || row === selected) {
      return;
    }
    if (selected) {
      selected.classList.remove("selected");
    }
    selected = row;
    row.classList.add("selected");
    row.appendChild(follow);
    follow.hidden = false;
  }

  function open(row) {
    lineField.value = row.dataset.line;
    row.appendChild(form);
    form.hidden = false;
    follow.hidden = true;
    const box = form.querySelector("textarea");
    if (box) {
      box.focus();
    }
  }

  rows.forEach(function (row) {
    row.tabIndex = 0;
    row.addEventListener("click", function (event) {
      if (!form.contains(event.target) && event.target !== follow) {
        select(row);
      }
    });
    row.addEventListener("focusin", function (event) {
      if (event.target === row) {
        select(row);
      }
    });
    const link = row.querySelector("a.annotate-link");
    if (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(row);
        open(row);
      });
    }
  });

  document.addEventListener("selectionchange", function () {
    const chosen = document.getSelection();
    if (!chosen || chosen.isCollapsed || !chosen.anchorNode) {
      return;
    }
    const start = chosen.anchorNode.nodeType === 1 ? chosen.anchorNode : chosen.anchorNode.parentElement;
    const row = start ? start.closest("article.answer-row[data-line]") : null;
    if (row) {
      select(row);
    }
  });

  follow.addEventListener("click", function () {
    if (selected) {
      open(selected);
    }
  });

  // A form the server opened under a line (no-script link, or a reload) keeps its place.
  const opened = lineField.value ? document.getElementById("line-" + lineField.value) : null;
  if (opened) {
    select(opened);
    follow.hidden = true;
  }
})();
