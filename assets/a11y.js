/* Accessible names and focus order that Dash 4's own components leave out (found by axe-core in
 * tests/browser/test_accessibility.py). Dash renders the page, so a MutationObserver patches each new
 * element once:
 * - dcc.Dropdown puts a hidden "focus proxy" input (aria-hidden, yet tabbable) before its real button;
 *   the proxy hands focus on to the button anyway, so it leaves the tab order and the button takes it.
 * - dcc.Slider's thumb and its direct-entry box, and dbc.Progress' bar, get no accessible name: they
 *   take the text of the label written for their component (label[for=<component id>]), else the
 *   nearest label or heading before it. */
(function () {
    "use strict";

    function labelFor(element) {
        var owner = element.closest("[id]");
        while (owner) {
            var label = owner.id && document.querySelector('label[for="' + CSS.escape(owner.id) + '"]');
            if (label && label.textContent.trim()) {
                return label.textContent.trim();
            }
            owner = owner.parentElement && owner.parentElement.closest("[id]");
        }
        return null;
    }

    function named(element) {
        return element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby");
    }

    function patch(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
            proxy.setAttribute("tabindex", "-1");
        });
        root.querySelectorAll(".dash-slider-thumb, input.dash-input-container, .dash-input-container input, [role=progressbar]")
            .forEach(function (element) {
                if (!named(element)) {
                    var text = labelFor(element);
                    element.setAttribute("aria-label", text || (element.matches("[role=progressbar]")
                        ? "Progress" : "Value"));
                }
            });
    }

    function start() {
        patch(document);
        new MutationObserver(function (records) {
            records.forEach(function (record) {
                record.addedNodes.forEach(function (node) {
                    if (node.nodeType === 1) {
                        patch(node.parentElement || node);
                    }
                });
            });
        }).observe(document.body, {childList: true, subtree: true});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
