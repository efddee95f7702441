// plotly.js with only the trace types the dashboard draws (issue #16: less JavaScript per page).
// Built by `make bundle` into var/build/plotly-custom.min.js; web/bundle.py serves it as
// window.Plotly, so dash's dcc.Graph never fetches the full plotly.min.js.
// tests/unit/test_plotly_bundle.py checks that every trace type of figures/ is listed here.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/funnel'),
    require('plotly.js/lib/sankey'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
