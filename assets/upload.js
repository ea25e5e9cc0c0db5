/* Streams a chosen or dropped file to POST /api/upload with a progress bar: the file is the request's body.
 * The size limit is checked here first (data-max-bytes on the drop zone) and again by the server;
 * both refusals are shown in the page. Dash renders the page, so listeners are delegated.
 * Any element with class segments-dropzone is a drop zone; its data-progress and data-status name its
 * progress bar and message, data-redirect the shell's redirect, and data-next the address the new dataset
 * token is appended to (dashboard/components.py dropzone_data writes them: every id is spelled in
 * dashboard/ids.py, none here). */
(function () {
    "use strict";
    var ZONE = "segments-dropzone";
    var current = {progress: null, status: null, redirect: null, next: null};

    function setProps(id, props) {
        if (id && window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(id, props);
        }
    }

    function showError(message) {
        setProps(current.progress, {style: {display: "none", height: "1.4rem"}});
        setProps(current.status, {children: message, is_open: true, color: "danger"});
    }

    function showProgress(percent, label) {
        setProps(current.progress, {value: percent, label: label, style: {display: "flex", height: "1.4rem"}});
    }

    function send(file, zone) {
        current = {progress: zone.getAttribute("data-progress"), status: zone.getAttribute("data-status"),
                   redirect: zone.getAttribute("data-redirect"), next: zone.getAttribute("data-next")};
        var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10) || 0;
        var maxMb = zone.getAttribute("data-max-mb");
        setProps(current.status, {is_open: false, children: ""});
        if (!file) { return; }
        if (maxBytes && file.size > maxBytes) {
            var mb = (file.size / 1048576).toFixed(1);
            showError("\u201c" + file.name + "\u201d is " + mb + " MB, larger than the " + maxMb +
                      " MB limit. Upload a smaller export.");
            return;
        }
        if (file.size === 0) {
            showError("\u201c" + file.name + "\u201d is empty.");
            return;
        }
        var encodedName;
        try { encodedName = encodeURIComponent(file.name); } catch (e) { encodedName = ""; }
        if (!encodedName) {
            showError("This file\u2019s name cannot be sent. Rename the file and try again.");
            return;
        }
        /* The file itself is the body (no multipart form for the server to scan), its name percent-encoded
         * in a header: dashboard/routes.py RAW_UPLOAD_TYPE and FILE_NAME_HEADER. */
        var request = new XMLHttpRequest();
        request.open("POST", "/api/upload");
        request.setRequestHeader("Content-Type", "application/octet-stream");
        request.setRequestHeader("X-File-Name", encodedName);
        request.upload.onprogress = function (event) {
            if (event.lengthComputable) {
                var percent = Math.round(100 * event.loaded / event.total);
                showProgress(percent, percent < 100 ? "Uploading " + percent + "%" : "Reading the file\u2026");
            }
        };
        request.onload = function () {
            var answer = null;
            try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
            if (request.status === 200 && answer && answer.token) {
                showProgress(100, "Done");
                var progress = current.progress;
                setProps(current.redirect, {href: current.next + encodeURIComponent(answer.token)});
                setTimeout(function () { if (document.getElementById(progress)) { setProps(progress, {style: {display: "none"}}); } }, 300);
            } else if (answer && answer.error) {
                showError(answer.error);
            } else if (request.status === 413) {
                showError("The file is larger than the " + maxMb + " MB limit.");
            } else if (request.status === 401) {
                showError("Your session has ended. Reload the page and sign in again.");
            } else {
                showError("The upload failed (server answered " + request.status + "). Try again.");
            }
        };
        request.onerror = function () { showError("The upload failed: the server could not be reached."); };
        showProgress(0, "Uploading 0%");
        request.send(file);
    }

    /* The file input is made here, outside React's tree (Dash has no file input component). */
    function browse(zone) {
        var input = document.createElement("input");
        input.type = "file";
        input.accept = ".csv,.txt,.tsv,.xlsx,.xls,.ods,.gz,.zip";
        input.addEventListener("change", function () { send(input.files && input.files[0], zone); });
        input.click();
    }
    ["dragenter", "dragover"].forEach(function (type) {
        document.addEventListener(type, function (event) {
            var zone = event.target.closest && event.target.closest("." + ZONE);
            if (zone) { event.preventDefault(); zone.classList.add("segments-dragover"); }
        });
    });
    document.addEventListener("dragleave", function (event) {
        var zone = event.target.closest && event.target.closest("." + ZONE);
        if (zone) { zone.classList.remove("segments-dragover"); }
    });
    document.addEventListener("drop", function (event) {
        var zone = event.target.closest && event.target.closest("." + ZONE);
        if (zone) {
            event.preventDefault();
            zone.classList.remove("segments-dragover");
            send(event.dataTransfer && event.dataTransfer.files[0], zone);
        }
    });
    document.addEventListener("click", function (event) {
        var zone = event.target.closest && event.target.closest("." + ZONE);
        if (zone) { event.preventDefault(); browse(zone); }
    });
})();
