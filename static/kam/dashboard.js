// Dashboard charts. Data comes from a json_script block; user text is only ever set as text.
(function () {
  var node = document.getElementById('dashboard-data');
  if (!node || typeof Chart === 'undefined') return;
  var data = JSON.parse(node.textContent);
  var matrix = document.getElementById('matrix-chart');
  if (matrix) {
    new Chart(matrix, {
      type: 'bubble',
      data: { datasets: [{ label: 'Key accounts', data: data.matrix, backgroundColor: 'rgba(18, 60, 90, 0.45)', borderColor: '#123c5a' }] },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { min: 0, max: 100, title: { display: true, text: 'Our position' } },
          y: { min: 0, max: 100, title: { display: true, text: 'Attractiveness' } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { var p = ctx.raw; return p.name + ' (' + p.y + ' / ' + p.x + ')'; } } }
        },
        onClick: function (event, elements) {
          if (elements.length) { window.location.href = data.matrix[elements[0].index].url; }
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
          ctx.fillText('Star', x.left + 6, y.top + 14); ctx.fillText('Strategic', x.getPixelForValue(50) + 6, y.top + 14);
          ctx.fillText('Streamline', x.left + 6, y.bottom - 6); ctx.fillText('Status', x.getPixelForValue(50) + 6, y.bottom - 6);
          ctx.restore();
        }
      }]
    });
  }
  var funnel = document.getElementById('funnel-chart');
  if (funnel) {
    new Chart(funnel, {
      type: 'bar',
      data: { labels: ['Draft', 'Submitted', 'Changes requested', 'Approved'],
              datasets: [{ data: data.funnel, backgroundColor: ['#6c757d', '#0d6efd', '#e67e22', '#1e8449'] }] },
      options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }
})();
