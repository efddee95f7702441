/* The layout request tells the server the window size, so a page whose figures are sized
   for the window (the big screen) is drawn right the first time, with no callback round
   (components/first_view.py, issue #16). */
(function () {
    var originalFetch = window.fetch;
    window.fetch = function (resource, init) {
        var url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
        if (url.indexOf('_dash-layout') >= 0) {
            init = Object.assign({}, init || {});
            var headers = new Headers(init.headers || {});
            headers.set('X-Sunshine-Viewport', window.innerWidth + 'x' + window.innerHeight);
            init.headers = headers;
        }
        return originalFetch.call(this, resource, init);
    };
})();
