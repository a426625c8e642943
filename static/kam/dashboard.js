// Dashboard charts. Data comes from a json_script block; user text is only ever set as text.
// Every chart has a table with the same figures next to it; printing opens those tables and
// redraws the charts at paper size.
(function () {
  var node = document.getElementById('dashboard-data');
  if (!node || typeof Chart === 'undefined') return;
  var data = JSON.parse(node.textContent);
  var L = data.labels;  // the charts' words, in the page's language
  var LANG = document.documentElement.lang || undefined;
  var INK = '#123c5a';
  // The same colours as the health badges and legend (app.css).
  var BAND = { green: '#1e7e34', amber: '#e08e0b', red: '#b02a37', '': '#adb5bd' };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#343a40';
  Chart.defaults.locale = LANG;  // tick numbers as the page writes them: 0,5 in German

  var matrix = document.getElementById('matrix-chart');
  if (matrix) {
    new Chart(matrix, {
      type: 'bubble',
      data: { datasets: [{
        label: L.key_accounts,
        data: data.matrix,
        backgroundColor: data.matrix.map(function (p) { return BAND[p.band || ''] + 'b3'; }),
        borderColor: data.matrix.map(function (p) { return BAND[p.band || '']; }),
        borderWidth: 1.5
      }] },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: L.position } },
          y: { min: 0, max: 100, title: { display: true, text: L.attractiveness } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) {
            var p = ctx.raw;
            var health = L.health + ' ' + (p.health === null ? L.not_computed : p.health);
            return p.name + ' (' + p.y + ' / ' + p.x + ', ' + health + ')';
          } } }
        },
        // A bubble opens its account: the URL travels with the point.
        onClick: function (event, elements, chart) {
          if (!elements.length) return;
          var point = chart.data.datasets[elements[0].datasetIndex].data[elements[0].index];
          if (point && point.url) { window.location.href = point.url; }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? 'pointer' : 'default';
        }
      },
      plugins: [{
        id: 'quadrants',
        beforeDraw: function (chart) {
          var ctx = chart.ctx, x = chart.scales.x, y = chart.scales.y;
          ctx.save();
          ctx.strokeStyle = '#9fb0bf'; ctx.setLineDash([4, 4]);
          ctx.beginPath(); ctx.moveTo(x.getPixelForValue(50), y.top); ctx.lineTo(x.getPixelForValue(50), y.bottom);
          ctx.moveTo(x.left, y.getPixelForValue(50)); ctx.lineTo(x.right, y.getPixelForValue(50)); ctx.stroke();
          ctx.setLineDash([]); ctx.fillStyle = '#6c7a89'; ctx.font = 'italic 12px sans-serif';
          var q = L.quadrants;
          ctx.fillText(q.star, x.left + 6, y.top + 14); ctx.fillText(q.strategic, x.getPixelForValue(50) + 6, y.top + 14);
          ctx.fillText(q.streamline, x.left + 6, y.bottom - 6); ctx.fillText(q.status, x.getPixelForValue(50) + 6, y.bottom - 6);
          ctx.restore();
        }
      }]
    });
  }

  var funnel = document.getElementById('funnel-chart');
  if (funnel) {
    new Chart(funnel, {
      type: 'bar',
      data: { labels: L.funnel,
              datasets: [{ data: data.funnel, backgroundColor: ['#6c757d', '#0d6efd', '#e67e22', '#1e8449'] }] },
      options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }

  var csat = document.getElementById('csat-chart');
  if (csat && data.csat.length) {
    new Chart(csat, {
      data: {
        labels: data.csat.map(function (r) { return r.label; }),
        datasets: [
          { type: 'line', label: L.csat, data: data.csat.map(function (r) { return r.pct; }), yAxisID: 'pct',
            borderColor: INK, backgroundColor: INK, borderWidth: 2.5, pointRadius: 4, pointStyle: 'rectRot', spanGaps: true },
          { type: 'bar', label: L.answers, data: data.csat.map(function (r) { return r.answers; }), yAxisID: 'answers',
            backgroundColor: 'rgba(108, 117, 125, 0.25)', borderColor: '#6c757d', borderWidth: 1 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          pct: { position: 'left', min: 0, max: 100, title: { display: true, text: L.csat } },
          answers: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: L.answers },
                     ticks: { precision: 0 } }
        },
        plugins: { legend: { position: 'bottom' } }
      }
    });
  } else if (csat) {
    csat.closest('.chart-box').classList.add('d-none');
  }

  var compact = new Intl.NumberFormat(LANG, { notation: 'compact', maximumFractionDigits: 1 });
  var revenue = document.getElementById('revenue-chart');
  if (revenue && data.revenue.rows.length) {
    var rows = data.revenue.rows;
    new Chart(revenue, {
      type: 'bar',
      data: {
        labels: rows.map(function (r) { return r.owner; }),
        datasets: [
          // Solid against outlined: tells the two apart in colour and in black and white.
          { label: L.revenue, data: rows.map(function (r) { return r.actual; }), backgroundColor: INK, borderColor: INK, borderWidth: 1 },
          { label: L.target, data: rows.map(function (r) { return r.target; }), backgroundColor: 'rgba(255, 255, 255, 0)', borderColor: INK,
            borderWidth: 2, borderDash: [4, 3] }
        ]
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { beginAtZero: true, title: { display: true, text: data.revenue.currency },
                       ticks: { maxRotation: 0, callback: function (v) { return compact.format(v); } } } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ': ' + Number(ctx.raw).toLocaleString(LANG) + ' ' + data.revenue.currency;
          } } }
        }
      }
    });
  } else if (revenue) {
    revenue.closest('.chart-box').classList.add('d-none');
  }

  // Printing: open the tables, and redraw every chart for the paper's width (app.css gives the
  // printed chart boxes their height and keeps a canvas from overflowing the page); then put both back.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details.chart-table:not([open])').forEach(function (d) { d.open = true; opened.push(d); });
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
