// Embeds Rapport live widgets in any page:
//   <div data-rapport-widget data-metric="leads" data-window="7d" data-key="rr_…"></div>
//   <div data-rapport-widget data-model="MODEL_ID" data-key="rr_…"></div>   (data-model="" for the default model)
//   <script src="https://rapport.example.com/widgets/embed.js" async></script>
// The GraphQL endpoint is the origin this script came from. Use a key with the READ scope only.
(function () {
  var script = document.currentScript;
  var base = new URL('./', script && script.src ? script.src : location.href);
  var endpoint = new URL('/graphql', base).href;
  import(new URL('widget.js', base).href).then(function (widget) {
    function mount() {
      var nodes = document.querySelectorAll('[data-rapport-widget]:not([data-rapport-mounted])');
      for (var i = 0; i < nodes.length; i++) {
        var node = nodes[i];
        node.setAttribute('data-rapport-mounted', '');
        widget.renderWidget(node, {
          endpoint: node.getAttribute('data-endpoint') || endpoint,
          apiKey: node.getAttribute('data-key'),
          metric: node.getAttribute('data-metric') || undefined,
          model: node.hasAttribute('data-model') ? node.getAttribute('data-model') : undefined,
          window: node.getAttribute('data-window') || '7d',
        });
      }
    }
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
    else mount();
  });
})();
