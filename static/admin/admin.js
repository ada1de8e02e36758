/* ScanShare dashboard: copy buttons and the chunked link import. No inline script anywhere (CSP). */
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-copy]');
    if (!button) return;
    var source = document.getElementById(button.getAttribute('data-copy'));
    var text = source ? source.textContent : '';
    var done = function () { button.textContent = button.getAttribute('data-copied'); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
    } else {
      selectText(source);
    }
  });

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // The live view: fetch the re-rendered section every few seconds while the tab is visible.
  var live = document.getElementById('live');
  if (live && window.fetch) {
    var every = (parseInt(live.getAttribute('data-refresh'), 10) || 3) * 1000;
    setInterval(function () {
      if (document.hidden) return;
      fetch(live.getAttribute('data-part-url'), { credentials: 'same-origin' }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      }).then(function (html) {
        var details = live.querySelector('details');
        var open = details && details.open;
        live.innerHTML = html;
        details = live.querySelector('details');
        if (details && open) details.open = true;
      }).catch(function () { /* the next tick tries again */ });
    }, every);
  }

  var form = document.getElementById('bulk-form');
  if (!form || !window.fetch) return;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var size = parseInt(form.getAttribute('data-chunk'), 10);
    var max = parseInt(form.getAttribute('data-max'), 10);
    var lines = document.getElementById('bulk-urls').value.split(/\r?\n/);
    var chunks = [];
    var current = null;
    var total = 0;
    lines.forEach(function (line, index) {
      if (!current || current.count >= size) {
        current = { first: index + 1, lines: [], count: 0 };
        chunks.push(current);
      }
      current.lines.push(line);
      var trimmed = line.trim();
      if (trimmed && trimmed.charAt(0) !== '#') { current.count += 1; total += 1; }
    });
    var status = document.getElementById('bulk-status');
    if (total > max) { status.textContent = '> ' + max; return; }
    var progress = document.getElementById('bulk-progress');
    var table = document.getElementById('bulk-results');
    var body = table.querySelector('tbody');
    var counts = { created: 0, existing: 0, refused: 0 };
    var done = 0;
    progress.max = Math.max(total, 1);
    progress.value = 0;
    progress.hidden = false;
    table.hidden = false;
    body.textContent = '';
    form.querySelector('button').disabled = true;

    function report() {
      status.textContent = done + ' / ' + total + ' — ' + counts.created + ' created, ' +
        counts.existing + ' existing, ' + counts.refused + ' refused';
    }
    function addRow(r) {
      var tr = document.createElement('tr');
      tr.className = r.status;
      [String(r.line), r.url, r.status, r.code || r.reason || ''].forEach(function (value) {
        var td = document.createElement('td');
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
    function next(i) {
      if (i >= chunks.length) { form.querySelector('button').disabled = false; report(); return; }
      var data = new FormData();
      data.append('urls', chunks[i].lines.join('\n'));
      data.append('first_line', String(chunks[i].first));
      fetch(form.getAttribute('data-chunk-url'), {
        method: 'POST', body: data, credentials: 'same-origin', headers: { 'X-CSRFToken': csrf }
      }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      }).then(function (answer) {
        answer.results.forEach(function (r) { counts[r.status] += 1; done += 1; addRow(r); });
        progress.value = done;
        report();
        next(i + 1);
      }).catch(function (error) {
        status.textContent = String(error);
        form.querySelector('button').disabled = false;
      });
    }
    report();
    next(0);
  });
})();
