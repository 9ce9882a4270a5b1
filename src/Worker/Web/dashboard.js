/* The worker's additions to the Hangfire dashboard's script: the menu's "Sign out" posts (with the
   page's anti-forgery token) instead of opening the sign-out page. */
(function () {
    document.addEventListener('click', function (e) {
        var link = e.target.closest && e.target.closest('a[href="/signout"]');
        var token = document.querySelector('meta[name="csrf-token"]');
        if (!link || !token) { return; }
        e.preventDefault();
        var form = document.createElement('form');
        form.method = 'post';
        form.action = '/signout';
        var field = document.createElement('input');
        field.type = 'hidden';
        field.name = '__RequestVerificationToken';
        field.value = token.getAttribute('content');
        form.appendChild(field);
        document.body.appendChild(form);
        form.submit();
    });
})();
