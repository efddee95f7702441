/* When the session has ended (idle, expired, signed out elsewhere), the server answers
   Dash's requests with 401 and a login address; go there, coming back here after. */
(function () {
    var originalFetch = window.fetch;
    var leaving = false;
    window.fetch = function () {
        return originalFetch.apply(this, arguments).then(function (response) {
            if (response.status === 401 && !leaving) {
                leaving = true;
                var back = window.location.pathname + window.location.search;
                response.clone().json().catch(function () { return {}; }).then(function (body) {
                    var login = (body && body.login) || '/login';
                    var sep = login.indexOf('?') >= 0 ? '&' : '?';
                    window.location.assign(login + sep + 'next=' + encodeURIComponent(back));
                });
            }
            return response;
        });
    };
})();
