/* Accessibility helpers for every page (loaded by base.html). */

/* A wide table scrolls inside its .table-responsive wrapper rather than the page
   (WCAG 1.4.10 Reflow). While it does, keyboard users must be able to reach and
   scroll it (WCAG 2.1.1): the wrapper becomes a focusable, labelled region. It is
   one only while it scrolls, so that other tables add no Tab stop. */
(function () {
  "use strict";

  function label(wrapper) {
    var caption = wrapper.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var heading = wrapper.closest("section, .card, main");
    heading = heading && heading.querySelector("h1, h2, h3, h4");
    return (heading ? heading.textContent.trim() + ": " : "") + "table";
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (wrapper) {
      if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        if (!wrapper.hasAttribute("aria-label")) {
          wrapper.setAttribute("aria-label", label(wrapper) + " (scrolls sideways)");
          wrapper.dataset.scrollRegion = "auto";
        }
      } else if (wrapper.getAttribute("tabindex") === "0") {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        if (wrapper.dataset.scrollRegion === "auto") {
          wrapper.removeAttribute("aria-label");
          delete wrapper.dataset.scrollRegion;
        }
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();

/* A sticky bar at the bottom of the window (the assessment form's save bar)
   must never hide the focused field (WCAG 2.2 SC 2.4.11). Browsers bring a
   focused field into view without regard to the bar, so when the bar covers it,
   the page scrolls on by the covered height. */
(function () {
  "use strict";

  var MARGIN = 12;

  function clear(target) {
    if (!(target instanceof Element) || target.closest(".save-bar")) {
      return;
    }
    if (target.classList.contains("btn-check") && target.labels && target.labels.length) {
      target = target.labels[0];
    }
    document.querySelectorAll(".save-bar").forEach(function (bar) {
      var barBox = bar.getBoundingClientRect();
      var box = target.getBoundingClientRect();
      var overlapsSideways = box.right > barBox.left && box.left < barBox.right;
      if (overlapsSideways && box.bottom > barBox.top && box.top < barBox.bottom) {
        // "instant": Bootstrap makes scrolling smooth, which would leave the
        // field covered while the page glides.
        window.scrollBy({ top: box.bottom - barBox.top + MARGIN, behavior: "instant" });
      }
    });
  }

  /* First, the browser's own scrolling: with the bar's height as the page's
     bottom scroll padding, it brings a focused field into view above the bar
     (WCAG technique C43). The bar's height changes when it wraps (a phone) or
     the window is resized. */
  function pad() {
    var height = 0;
    document.querySelectorAll(".save-bar").forEach(function (bar) {
      height = Math.max(height, bar.getBoundingClientRect().height);
    });
    document.documentElement.style.scrollPaddingBottom = height ? height + MARGIN + "px" : "";
  }

  if (document.querySelector(".save-bar")) {
    pad();
    window.addEventListener("resize", pad);
    window.addEventListener("load", pad);
  }

  document.addEventListener("focusin", function (event) {
    // Then, where the browser scrolled regardless (or late, a frame or two
    // after the focus), scroll on; clear() does nothing once it is clear.
    window.requestAnimationFrame(function () {
      clear(event.target);
    });
    window.setTimeout(function () {
      clear(event.target);
    }, 150);
  });
})();
