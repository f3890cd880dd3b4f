// Embeds Rapport live widgets in any page. Make the snippet on your Rapport server's /widgets page:
//   <div data-rapport-widget data-metric="leads" data-window="7d" data-token="rrw_…"></div>
//   <div data-rapport-widget data-model="MODEL_ID" data-window="30d" data-theme="dark" data-token="rrw_…"></div>
//   <script src="https://rapport.example.com/widgets/embed.js" async></script>
// Attributes: data-token (a widget token: it reads only its metrics and models, only from the
// origins it lists), data-metric or data-model, data-window (24h, 7d, 30d, 90d, 12m) or
// data-from / data-to (dates), data-community, data-interval (hour, day, week, month),
// data-theme (light, dark, auto), data-label, data-unit, data-aggregation. Colours: the
// --rapport-* CSS custom properties (see widget.css). The endpoint is the origin of this script.
(function () {
  var script = document.currentScript;
  var base = new URL('./', script && script.src ? script.src : location.href);
  var endpoint = new URL('/graphql', base).href;
  var OPTIONS = ['token', 'metric', 'window', 'from', 'to', 'community', 'interval', 'theme', 'label', 'unit', 'aggregation'];
  import(new URL('widget.js', base).href).then(function (widget) {
    function mount() {
      var nodes = document.querySelectorAll('[data-rapport-widget]:not([data-rapport-mounted])');
      for (var i = 0; i < nodes.length; i++) {
        var node = nodes[i];
        node.setAttribute('data-rapport-mounted', '');
        var options = { endpoint: node.getAttribute('data-endpoint') || endpoint, apiKey: node.getAttribute('data-key') || undefined };
        for (var j = 0; j < OPTIONS.length; j++) {
          var value = node.getAttribute('data-' + OPTIONS[j]);
          if (value) options[OPTIONS[j]] = value;
        }
        if (node.hasAttribute('data-model')) options.model = node.getAttribute('data-model');
        widget.renderWidget(node, options);
      }
    }
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
    else mount();
  });
})();
