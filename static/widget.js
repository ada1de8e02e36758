/*! ScanShare widget: a "Share on WeChat" box that opens on click, tap or keyboard. */
// Written as ES5 on purpose: a host page may run an old browser, and a syntax
// error there would be the one thing we cannot guard with try/catch.
// The server strips full-line comments and indentation (share/web/widget.py),
// so every comment in this file must stand on a line of its own.
(function (win, doc) {
  'use strict';
  if (!doc || win.ScanShare) return;

  var SEL = '.scanshare,[data-scanshare]';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var DEFAULT_SITES = 'wechat,weibo,qq,qzone,douban,x,facebook,linkedin,email,copy';
  var nav = win.navigator || {};
  var enc = encodeURIComponent;
  var noop = function () {};
  var uid = 0;

  // The service base is wherever this script came from; async scripts in old
  // browsers have no currentScript, so look for our own tag by its path.
  var BASE = (function () {
    var re = /\/widget\.js([?#].*)?$/;
    var s = doc.currentScript;
    var list = doc.getElementsByTagName('script');
    for (var i = list.length - 1; (!s || !re.test(s.src)) && i >= 0; i--) s = list[i];
    return s && re.test(s.src) ? s.src.replace(re, '') : '';
  })();

  var TEXT = {
    zh: {
      wechat: '微信', weibo: '微博', qq: 'QQ', qzone: 'QQ空间', douban: '豆瓣', x: 'X',
      facebook: 'Facebook', linkedin: 'LinkedIn', email: '邮件', copy: '复制链接', native: '更多',
      title: '分享到微信', share: '分享', close: '关闭', qr: '二维码', copied: '已复制',
      paste: '复制链接，粘贴到微信聊天中发送', save: '保存二维码图片', more: '更多…',
      album: '保存后，在微信“扫一扫”中从相册选取这张图片。',
      caption: '打开微信，|点击底部的“发现”，|使用“扫一扫”|即可将网页分享给微信好友。',
      qrAlt: '分享到微信的二维码，链接：',
      Wechat: '点击右上角 ··· 分享给朋友或朋友圈',
      Qq: '点击右上角 ··· 分享给QQ好友或QQ空间',
      Weibo: '点击右上角 ··· 分享到微博'
    },
    en: {
      wechat: 'WeChat', weibo: 'Weibo', qq: 'QQ', qzone: 'Qzone', douban: 'Douban', x: 'X',
      facebook: 'Facebook', linkedin: 'LinkedIn', email: 'Email', copy: 'Copy link', native: 'More',
      title: 'Share on WeChat', share: 'Share', close: 'Close', qr: 'QR code', copied: 'Copied',
      paste: 'Copy the link and paste it in a WeChat chat', save: 'Save QR image', more: 'More…',
      album: 'Then in WeChat, Scan and pick the saved image from your album.',
      caption: 'Use WeChat to "scan" to share the web page with your WeChat friends.',
      qrAlt: 'QR code to share on WeChat, linking to ',
      Wechat: 'Tap ··· at the top right to send to a friend or Moments',
      Qq: 'Tap ··· at the top right to send to QQ friends or Qzone',
      Weibo: 'Tap ··· at the top right to share on Weibo'
    }
  };

  // Share targets: adding one is one entry. c = icon colour, i = icon path
  // (24x24, drawn white, even-odd) or layers [path, white?] drawn in turn,
  // run = own action; the others open the
  // service's counted hop /t/<name>, which knows each network's share URL.
  // p = look the link up as soon as the reader reaches for the button.
  var SITES = {
    wechat: {c: '#07c160', run: openPopup, p: 1, i: [
      ['M3.8 9.8a5.8 4.9 0 1 0 11.6 0a5.8 4.9 0 1 0-11.6 0zM6.1 13.2l-.9 2.4 2.7-1.4z', 1],
      ['M6.85 8.6a.75 .75 0 1 0 1.5 0a.75 .75 0 1 0-1.5 0zM10.75 8.6a.75 .75 0 1 0 1.5 0a.75 .75 0 1 0-1.5 0zM10 14.1a5.2 4.4 0 1 0 10.4 0a5.2 4.4 0 1 0-10.4 0z', 0],
      ['M10.8 14.1a4.4 3.7 0 1 0 8.8 0a4.4 3.7 0 1 0-8.8 0zM17.9 17l.9 1.9-2.4-1.1z', 1],
      ['M13.1 13.3a.6 .6 0 1 0 1.2 0a.6 .6 0 1 0-1.2 0zM16.1 13.3a.6 .6 0 1 0 1.2 0a.6 .6 0 1 0-1.2 0z', 0]
    ]},
    weibo: {c: '#e6162d',
      i: 'M4.5 14.5a6.5 4.5 0 1 0 13 0a6.5 4.5 0 1 0-13 0zM9 15a2 1.6 0 1 0 4 0a2 1.6 0 1 0-4 0zM15 5.5a4 4 0 0 1 4 4h-1.4a2.6 2.6 0 0 0-2.6-2.6z'},
    qq: {c: '#12b7f5', i: [
      ['M8.6 8a3.4 3.6 0 1 0 6.8 0a3.4 3.6 0 1 0-6.8 0zM7.6 13.6a4.4 4.8 0 1 0 8.8 0a4.4 4.8 0 1 0-8.8 0zM5.6 15.2l2.4-4 .6 2.6zM18.4 15.2l-2.4-4-.6 2.6zM7 18.8a2.4 1 0 1 0 4.8 0a2.4 1 0 1 0-4.8 0zM12.2 18.8a2.4 1 0 1 0 4.8 0a2.4 1 0 1 0-4.8 0z', 1],
      ['M10.2 7.4a.8 1.1 0 1 0 1.6 0a.8 1.1 0 1 0-1.6 0zM12.2 7.4a.8 1.1 0 1 0 1.6 0a.8 1.1 0 1 0-1.6 0zM8.4 10.5q3.6 1.4 7.2 0v1q-3.6 1.4-7.2 0z', 0]
    ]},
    qzone: {c: '#fece00',
      i: 'M12 4.5l2.2 4.7 5.1.6-3.8 3.5 1 5.1-4.5-2.6-4.5 2.6 1-5.1-3.8-3.5 5.1-.6z'},
    douban: {c: '#2d963d',
      i: 'M6 5.5h12V7H6zM7.5 8.8h9v5.4h-9zM9 10.2v2.6h6v-2.6zM5.5 17.4h13v1.6h-13zM9 14.8l1.4-.5 1 2.5-1.4.5zM15 14.3l1.4.5-1 2.5-1.4-.5z'},
    x: {c: '#111',
      i: 'M6 6h3.4l8.6 12h-3.4zM15.6 6h1.8l-4.6 5.3-.9-1.3zM8.4 18H6.6l4.6-5.3.9 1.3z'},
    facebook: {c: '#1877f2',
      i: 'M13.3 19v-6h2.1l.3-2.4h-2.4V9.2c0-.7.2-1.2 1.2-1.2h1.3V5.9a17 17 0 0 0-1.9-.1c-1.9 0-3.1 1.1-3.1 3.2v1.6H8.7V13h2.1v6z'},
    linkedin: {c: '#0a66c2',
      i: 'M6.8 10h2.3v7.5H6.8zM8 5.8a1.3 1.3 0 1 1 0 2.6a1.3 1.3 0 1 1 0-2.6zM10.9 10h2.2v1a2.5 2.5 0 0 1 2.3-1.2c2.3 0 2.8 1.5 2.8 3.5v4.2h-2.3v-3.7c0-.9 0-2-1.2-2s-1.5 1-1.5 2v3.7h-2.3z'},
    email: {c: '#6b7280',
      i: 'M5.5 7.5h13v9h-13zM6.8 8.8v.4l5.2 3.6 5.2-3.6v-.4z'},
    copy: {c: '#6b7280', run: copyLink, p: 1,
      i: 'M9 5h9v10.5H9zM10.5 6.5V14h6V6.5zM6 8.5h1.5v9h6.5V19H6z'},
    native: {c: '#6b7280', run: nativeShare, p: 1, ok: function () { return !!nav.share; },
      i: 'M15 4.5a2.2 2.2 0 1 1 0 4.4a2.2 2.2 0 1 1 0-4.4zM8 9.8a2.2 2.2 0 1 1 0 4.4a2.2 2.2 0 1 1 0-4.4zM15 15.1a2.2 2.2 0 1 1 0 4.4a2.2 2.2 0 1 1 0-4.4zM9.8 11l3.6-2 .6 1-3.6 2zM9.8 13l3.6 2 .6-1-3.6-2z'}
  };

  var CSS = ':host{all:initial;display:inline-block}' +
    '.ssw-w{--f:#222;--g:#fff;--d:#d9d9d9;--m:#555;display:inline-block;font:14px/1.45 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:var(--f)}' +
    '.ssw-dark{--f:#eee;--g:#1f1f1f;--d:#444;--m:#bbb}' +
    '@media (prefers-color-scheme:dark){.ssw-auto{--f:#eee;--g:#1f1f1f;--d:#444;--m:#bbb}}' +
    '.ssw-bar{display:flex;flex-wrap:wrap;gap:4px}.ssw-col{flex-direction:column;align-items:flex-start}' +
    '.ssw-b{all:unset;box-sizing:border-box;display:inline-flex;align-items:center;justify-content:center;gap:6px;min-width:44px;min-height:44px;padding:4px 10px;border-radius:8px;cursor:pointer;color:var(--f)}' +
    '.ssw-b:hover{background:rgba(128,128,128,.15)}.ssw-b:focus-visible{outline:2px solid #1a73e8;outline-offset:1px}' +
    '.ssw-b svg{display:block;width:24px;height:24px}.ssw-b span{padding-right:4px}' +
    '.ssw-p{position:fixed;z-index:2147483647;box-sizing:border-box;max-width:calc(100vw - 16px);padding:14px 16px 16px;' +
    'background:var(--g);color:var(--f);border:1px solid var(--d);border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.2);text-align:center}' +
    '.ssw-p[hidden],.ssw-t[hidden],.ssw-r[hidden]{display:none}.ssw-p.ssw-m{visibility:hidden}' +
    '.ssw-h{font-weight:600;font-size:15px;margin:0 30px 6px;white-space:nowrap}.ssw-c{margin:0 0 10px;font-size:12px;color:var(--m)}.ssw-n{white-space:nowrap}' +
    '.ssw-r{position:fixed;z-index:2147483646;width:10px;height:10px;background:var(--g);border:1px solid var(--d);transform:rotate(45deg)}' +
    '.ssw-p.ssw-s{max-width:none;border-radius:14px 14px 0 0;padding-bottom:24px}' +
    '.ssw-bd{position:fixed;z-index:2147483646;left:0;top:0;right:0;bottom:0;background:rgba(0,0,0,.45)}.ssw-bd[hidden]{display:none}' +
    '.ssw-q{display:block;margin:0 auto;background:#fff;max-width:100%;height:auto}' +
    '.ssw-a{position:absolute;top:2px;right:40px;font-size:22px}' +
    '.ssw-x{position:absolute;top:2px;right:2px;min-width:36px;min-height:36px;width:36px;height:36px;padding:0;justify-content:center;font-size:20px;line-height:1}' +
    '.ssw-k{display:flex;justify-content:center;width:100%;margin:8px 0 0;padding:8px;border:1px solid var(--d)}.ssw-k+.ssw-c{margin:10px 0 0}' +
    '.ssw-t{position:fixed;z-index:2147483647;left:50%;bottom:24px;transform:translateX(-50%);padding:6px 14px;border-radius:16px;background:#222;color:#fff;font-size:13px}';

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function svg(tag, attrs) {
    var e = doc.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function meta(sel, attr) {
    var m = doc.querySelector(sel);
    return (m && (m[attr] || m.getAttribute(attr))) || '';
  }

  // data-* attributes first, explicit options win; keys are camelCase
  // (data-qr-size -> qrSize, data-weibo-title -> weiboTitle).
  function readOptions(host, given) {
    var o = {}, a = host.attributes, k, i;
    for (i = 0; i < a.length; i++) {
      if (a[i].name.indexOf('data-') === 0) {
        o[a[i].name.slice(5).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })] = a[i].value;
      }
    }
    for (k in given || {}) o[k] = given[k];
    o.url = o.url || meta('link[rel="canonical"]', 'href') || meta('meta[property="og:url"]', 'content') ||
      String(win.location.href).split('#')[0];
    o.title = o.title || meta('meta[property="og:title"]', 'content') || doc.title;
    o.description = o.description || meta('meta[name="description"]', 'content') ||
      meta('meta[property="og:description"]', 'content');
    o.image = o.image || meta('meta[property="og:image"]', 'content');
    o.lang = /^zh/i.test(o.lang || doc.documentElement.lang || '') ? 'zh' : 'en';
    o.qrSize = Math.min(1024, Math.max(120, parseInt(o.qrSize, 10) || 160));
    var sites = o.sites || DEFAULT_SITES + ',native';
    o.sites = typeof sites === 'string' ? sites.split(/[\s,]+/) : sites;
    return o;
  }

  // Per-site override (data-weibo-title) before the common value (data-title).
  function value(w, site, field) {
    return w.o[site + field.charAt(0).toUpperCase() + field.slice(1)] || w.o[field] || '';
  }

  function inApp() {
    var ua = nav.userAgent || '';
    return /MicroMessenger/i.test(ua) ? 'Wechat' : /\bQQ\//.test(ua) ? 'Qq' : /Weibo/i.test(ua) ? 'Weibo' : '';
  }

  // A phone or tablet, whose reader cannot scan a QR shown on its own screen.
  // iPadOS says "Macintosh" but has a touch screen.
  function handheld() {
    var ua = nav.userAgent || '';
    return /iPhone|iPod|iPad|Android/.test(ua) || (/Macintosh/.test(ua) && nav.maxTouchPoints > 1);
  }

  var sheet;
  function addStyles(root, shadow) {
    if (shadow && 'adoptedStyleSheets' in root) {
      try {
        if (!sheet) {
          sheet = new win.CSSStyleSheet();
          sheet.replaceSync(CSS);
        }
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (e) {
        sheet = null;
      }
    }
    if (!shadow && doc.getElementById('ssw-css')) return;
    var st = el('style', '', CSS.replace(/:host/g, '.ssw-host'));
    st.id = 'ssw-css';
    (shadow ? root : doc.head || doc.documentElement).appendChild(st);
  }

  function button(w, site, name) {
    var label = w.t[name];
    var b = el('button', 'ssw-b');
    b.type = 'button';
    b.setAttribute('data-site', name);
    b.setAttribute('title', label);
    b.setAttribute('aria-label', label);
    var icon = svg('svg', {viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false'});
    icon.appendChild(svg('circle', {cx: 12, cy: 12, r: 12, fill: site.c}));
    var layers = typeof site.i === 'string' ? [[site.i, 1]] : site.i;
    for (var j = 0; j < layers.length; j++) {
      icon.appendChild(svg('path', {d: layers[j][0], fill: layers[j][1] ? '#fff' : site.c, 'fill-rule': layers.length > 1 ? 'nonzero' : 'evenodd'}));
    }
    b.appendChild(icon);
    if (w.o.labels === 'text') b.appendChild(el('span', '', label));
    b.addEventListener('click', function (e) {
      e.preventDefault();
      try {
        if (site.run) site.run(w, name, b);
        else go(w, name);
      } catch (err) {
        warn(err);
      }
    });
    // Hover, focus or touch shows intent: start the lookup then, so the click
    // finds the link ready (never on page load: most readers never share).
    var prime = function () {
      if (win.fetch && win.Promise && !(name === 'wechat' && inApp())) lookup(value(w, name, 'url')).then(noop, noop);
    };
    if (site.p) {
      for (var k = 0, ev = ['pointerenter', 'focus', 'touchstart']; k < 3; k++) b.addEventListener(ev[k], prime, {passive: true});
    }
    return b;
  }

  // A plain navigation inside the click (no popup blocker, no fetch first):
  // the hop counts the share and redirects to the network with the short link.
  function go(w, name) {
    var q = [], f = ['url', 'title', 'description', 'image'], v;
    for (var i = 0; i < 4; i++) if ((v = value(w, name, f[i]))) q.push(f[i] + '=' + enc(v));
    var u = BASE + '/t/' + name + '?' + q.join('&');
    if (name === 'email') win.location.href = u;
    else win.open(u, '_blank', 'noopener');
  }

  function usable(link) {
    return link && link.code && !link.disabled;
  }

  // What copy or native share hands over: the short link with src=<name>, or
  // the page URL when the link is refused, switched off or unreachable. The
  // text itself when the lookup has answered (the click keeps its gesture),
  // else a promise of it. The share is counted once the link is known.
  function target(w, name) {
    var url = value(w, name, 'url'), k = 'u' + url;
    var pick = function (link) {
      if (!usable(link)) return url;
      send(BASE + '/t/' + name + '?url=' + enc(url));
      return link.short_url + '?src=' + name;
    };
    if (links.hasOwnProperty(k)) return pick(links[k]);
    if (!win.fetch || !win.Promise) return url;
    return lookup(url).then(pick, function () { return url; });
  }

  function copyLink(w) {
    var text = target(w, 'copy');
    var board = nav.clipboard || {};
    var done = function () { toast(w, w.t.copied); };
    var legacy = function (t) {
      var ta = el('textarea');
      var ok = false;
      ta.value = t;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      doc.body.appendChild(ta);
      ta.select();
      try {
        ok = doc.execCommand('copy');
      } catch (e) {
        ok = false;
      }
      doc.body.removeChild(ta);
      if (ok) done();
    };
    var write = function (t) {
      if (board.writeText) board.writeText(t).then(done, function () { legacy(t); });
      else legacy(t);
    };
    if (!text.then) return write(text);
    // Safari keeps the click's gesture for a clipboard item given as a promise.
    try {
      board.write([new win.ClipboardItem({'text/plain': text.then(function (t) {
        return new win.Blob([t], {type: 'text/plain'});
      })})]).then(done, function () { text.then(write); });
    } catch (e) {
      text.then(write);
    }
  }

  // Shares the short link if the lookup has answered; else the page URL now,
  // since waiting could cost the gesture navigator.share needs.
  function nativeShare(w) {
    if (!nav.share) return;
    var name = 'native', u = target(w, name);
    var p = nav.share({title: value(w, name, 'title'), text: value(w, name, 'description'), url: u.then ? value(w, name, 'url') : u});
    if (p && p.then) p.then(noop, noop);
  }

  function toast(w, text) {
    if (!w.toast) {
      w.toast = el('div', 'ssw-t');
      w.toast.setAttribute('role', 'status');
      w.wrap.appendChild(w.toast);
    }
    w.toast.textContent = text;
    w.toast.hidden = false;
    clearTimeout(w.toastTimer);
    w.toastTimer = setTimeout(function () { w.toast.hidden = true; }, 2000);
  }

  function beacon(code) {
    send(BASE + '/o/' + enc(code));
  }

  // A counting POST that outlives the page and never reports back.
  function send(u) {
    try {
      if (nav.sendBeacon && nav.sendBeacon(u)) return;
    } catch (e) {
      u = u + '';
    }
    if (win.fetch) win.fetch(u, {method: 'POST', mode: 'no-cors', credentials: 'omit', keepalive: true}).then(noop, noop);
  }

  // The link is looked up on the first sign of intent only (one lookup per
  // page URL, however many widgets show it); links keeps each answer. A
  // refused page (403: host not allowed), a link its owner switched off, or
  // any failure gets an untracked QR of the page URL.
  var lookups = {}, links = {};
  function lookup(url) {
    var k = 'u' + url;
    if (!lookups[k]) {
      lookups[k] = win.fetch(BASE + '/api/v1/share?url=' + enc(url), {credentials: 'omit'}).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (link) {
        links[k] = link;
        return link;
      });
    }
    return lookups[k];
  }

  // The popup's QR; on a handheld, the image to save instead (src=album).
  function loadQr(w) {
    if (w.loaded) {
      if (w.code) beacon(w.code);
      return;
    }
    w.loaded = true;
    var size = '&size=' + (w.img ? Math.min(2048, Math.round(w.o.qrSize * (win.devicePixelRatio || 1))) : 600);
    var url = value(w, 'wechat', 'url');
    var show = function (u, text) {
      if (w.img) {
        w.img.src = u;
        w.img.alt = w.t.qrAlt + text;
      } else {
        w.save.href = u;
      }
    };
    var fallback = function () { show(BASE + '/qr.png?url=' + enc(url) + size, url); };
    if (!win.fetch || !win.Promise) return fallback();
    lookup(url).then(function (link) {
      if (!usable(link)) return fallback();
      w.code = link.code;
      show(BASE + '/qr/' + enc(link.code) + '.png?src=' + (w.img ? 'widget' : 'album') + size, link.short_url + '?src=widget');
      beacon(link.code);
    }).then(noop, fallback);
  }

  // Text whose '|' marks where a line may break (Chinese has no spaces): each
  // phrase stays whole, so a caption never breaks in the middle of a word.
  function phrases(tag, cls, text) {
    var e = el(tag, cls), parts = text.split('|');
    for (var i = 0; i < parts.length; i++) e.appendChild(parts.length > 1 ? el('span', 'ssw-n', parts[i]) : doc.createTextNode(parts[i]));
    return e;
  }

  function action(p, tag, text) {
    var b = el(tag, 'ssw-b ssw-k', text);
    if (tag === 'button') b.type = 'button';
    p.appendChild(b);
    return b;
  }

  function buildPopup(w, app) {
    var p = el('div', 'ssw-p');
    var id = 'ssw-h' + ++uid;
    p.setAttribute('role', 'dialog');
    p.setAttribute('aria-modal', 'true');
    p.setAttribute('aria-labelledby', id);
    p.hidden = true;
    var x = el('button', 'ssw-b ssw-x', '×');
    x.type = 'button';
    x.setAttribute('aria-label', w.t.close);
    x.addEventListener('click', function () { closePopup(w, true); });
    var h = el('div', 'ssw-h', app && app !== 'Wechat' ? w.t.share : w.t.title);
    h.id = id;
    p.appendChild(x);
    p.appendChild(h);
    if (app) {
      p.appendChild(el('span', 'ssw-a', '↗'));
      p.appendChild(el('p', 'ssw-c', w.t[app]));
    } else if (w.phone) {
      // A QR on the phone's own screen cannot be scanned by that phone:
      // copy the link for a chat, or save the QR and scan it from the album.
      p.appendChild(el('p', 'ssw-c', w.t.paste));
      action(p, 'button', w.t.copy).addEventListener('click', function () { copyLink(w); });
      w.save = action(p, 'a', w.t.save);
      w.save.setAttribute('download', 'qr.png');
      w.save.target = '_blank';
      w.save.rel = 'noopener';
      if (nav.share) action(p, 'button', w.t.more).addEventListener('click', function () { nativeShare(w); });
      p.appendChild(el('p', 'ssw-c', w.t.album));
    } else {
      p.appendChild(phrases('p', 'ssw-c', w.t.caption));
      w.img = el('img', 'ssw-q');
      w.img.width = w.img.height = w.o.qrSize;
      w.img.alt = w.t.qr;
      p.appendChild(w.img);
    }
    p.style.width = (app ? 240 : w.phone ? 260 : Math.max(220, w.o.qrSize + 34)) + 'px';
    w.x = x;
    w.bd = el('div', 'ssw-bd');
    w.arrow = el('span', 'ssw-r');
    w.bd.hidden = w.arrow.hidden = true;
    w.wrap.appendChild(w.bd);
    w.wrap.appendChild(w.arrow);
    w.wrap.appendChild(p);
    return p;
  }

  // Below, above, right or left of the button: the first side where the popup
  // fits whole, then clamped into what the reader sees (the visual viewport,
  // so a pinch-zoomed phone page too). In-app hints sit top right, under the
  // browser's own "..." menu.
  function place(w) {
    var p = w.pop, m = 8, g = 6, v = win.visualViewport;
    var ox = v ? v.offsetLeft : 0, oy = v ? v.offsetTop : 0;
    var vw = v ? v.width : doc.documentElement.clientWidth || win.innerWidth;
    var vh = v ? v.height : win.innerHeight;
    var r = w.btn.getBoundingClientRect(), pw = p.offsetWidth, ph = p.offsetHeight;
    var b = {left: r.left - ox, right: r.right - ox, top: r.top - oy, bottom: r.bottom - oy};
    var cx = (b.left + b.right - pw) / 2, cy = (b.top + b.bottom - ph) / 2;
    var sides = [
      [b.bottom + g + ph <= vh - m, cx, b.bottom + g],
      [b.top - g - ph >= m, cx, b.top - g - ph],
      [b.right + g + pw <= vw - m, b.right + g, cy],
      [b.left - g - pw >= m, b.left - g - pw, cy]
    ];
    if (w.sheet) {
      w.arrow.hidden = true;
      p.style.width = vw + 'px';
      p.style.left = ox + 'px';
      p.style.top = oy + vh - p.offsetHeight + 'px';
      return;
    }
    var s = sides[0], side = 0;
    for (var i = 3; i >= 0; i--) if (sides[i][0]) s = sides[side = i];
    if (w.app) s = [1, vw, 0];
    var left = Math.max(m, Math.min(s[1], vw - pw - m)), top = Math.max(m, Math.min(s[2], vh - ph - m));
    p.style.left = ox + left + 'px';
    p.style.top = oy + top + 'px';
    // The arrow (drawn just under the popup, so half of it shows) points at
    // the button's middle from the side the popup took.
    var a = w.arrow, along = side < 2;
    a.hidden = !!w.app;
    var x = along ? Math.max(left + 14, Math.min((b.left + b.right) / 2, left + pw - 14)) : side === 2 ? left : left + pw;
    var y = along ? (side ? top + ph : top) : Math.max(top + 14, Math.min((b.top + b.bottom) / 2, top + ph - 14));
    a.style.left = ox + x - 6 + 'px';
    a.style.top = oy + y - 6 + 'px';
  }

  // Keep the popup beside its button while the page scrolls, resizes or zooms.
  function listen(w, how) {
    var v = win.visualViewport;
    doc[how]('click', w.onDoc, true);
    doc[how]('keydown', w.onKey, true);
    win[how]('resize', w.onMove);
    win[how]('scroll', w.onMove, true);
    if (v) {
      v[how]('resize', w.onMove);
      v[how]('scroll', w.onMove);
    }
  }

  function openPopup(w, name, btn) {
    if (w.open) return closePopup(w, true);
    w.btn = btn;
    w.app = inApp();
    w.phone = handheld();
    w.pop = w.pop || buildPopup(w, w.app);
    var v = win.visualViewport, vw = v ? v.width : win.innerWidth;
    // On a phone (or any narrow window) the dialog is a bottom sheet over a dimmed page.
    w.sheet = !w.app && (w.phone || vw < 480);
    var cls = 'ssw-p' + (w.sheet ? ' ssw-s' : '');
    w.pop.className = cls + ' ssw-m';
    w.pop.hidden = false;
    w.bd.hidden = !w.sheet;
    place(w);
    w.pop.className = cls;
    w.open = true;
    btn.setAttribute('aria-expanded', 'true');
    listen(w, 'addEventListener');
    w.x.focus();
    if (!w.app) loadQr(w);
  }

  function closePopup(w, refocus) {
    if (!w.open) return;
    w.open = false;
    w.pop.hidden = w.bd.hidden = w.arrow.hidden = true;
    w.btn.setAttribute('aria-expanded', 'false');
    listen(w, 'removeEventListener');
    if (refocus) w.btn.focus();
  }

  // A modal dialog keeps focus: Tab and Shift+Tab cycle through its controls.
  function trap(w, e) {
    var list = w.pop.querySelectorAll('button,a[href]'), f = [];
    for (var i = 0; i < list.length; i++) if (!list[i].hidden) f.push(list[i]);
    if (!f.length) return;
    var active = (w.root && w.root.activeElement) || doc.activeElement;
    var at = -1;
    for (i = 0; i < f.length; i++) if (f[i] === active) at = i;
    var next = e.shiftKey ? (at <= 0 ? f.length - 1 : at - 1) : (at < 0 || at === f.length - 1 ? 0 : at + 1);
    e.preventDefault();
    f[next].focus();
  }

  function inside(w, e) {
    var path = e.composedPath ? e.composedPath() : [];
    for (var n = path.length ? null : e.target; n; n = n.parentNode) path.push(n);
    for (var i = 0; i < path.length; i++) if (path[i] === w.pop || path[i] === w.btn) return true;
    return false;
  }

  // Inside WeChat, the article's own card when a reader forwards the page from
  // the "..." menu: once per page, only where this service has a WeChat account
  // and grants a signature for the page, then WeChat's JS-SDK (the one
  // third-party script) with the tracked short link.
  // The service sets WX when it has a WeChat account (share/web/widget.py).
  var WX = '__SCANSHARE_WECHAT__' === 'on';
  var wxStarted = false;
  function wechatCard(w) {
    if (!WX || wxStarted || inApp() !== 'Wechat' || !win.fetch || !win.Promise) return;
    wxStarted = true;
    var page = String(win.location.href).split('#')[0];
    var url = value(w, 'wechat', 'url');
    win.fetch(BASE + '/api/v1/wechat/signature?url=' + enc(page), {credentials: 'omit'}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (sig) {
      if (!sig || !sig.signature) return;
      return lookup(url).then(null, noop).then(function (link) {
        var s = doc.createElement('script');
        s.src = BASE + '/wechat-jssdk.js';
        s.async = true;
        s.onload = function () { configureWx(w, sig, link, url); };
        (doc.head || doc.documentElement).appendChild(s);
      });
    }).then(noop, noop);
  }

  function configureWx(w, sig, link, url) {
    var wx = win.wx;
    if (!wx || !wx.config || !wx.ready) return;
    var data = {
      title: value(w, 'wechat', 'title') || (link && link.title) || doc.title,
      desc: value(w, 'wechat', 'description') || (link && link.description) || '',
      link: usable(link) ? link.short_url + '?src=wechat' : url,
      imgUrl: value(w, 'wechat', 'image') || (link && link.image) || ''
    };
    wx.config({debug: false, appId: sig.appId, timestamp: sig.timestamp, nonceStr: sig.nonceStr,
      signature: sig.signature, jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData']});
    wx.ready(function () {
      if (wx.updateAppMessageShareData) wx.updateAppMessageShareData(data);
      if (wx.updateTimelineShareData) wx.updateTimelineShareData({title: data.title, link: data.link, imgUrl: data.imgUrl});
    });
  }

  function render(host, given) {
    var w = {o: readOptions(host, given)};
    w.t = TEXT[w.o.lang];
    var shadow = !!host.attachShadow;
    var root = shadow ? host.attachShadow({mode: 'open'}) : host;
    w.root = shadow ? root : null;
    if (!shadow) host.className += ' ssw-host';
    addStyles(root, shadow);
    var theme = /^(dark|auto)$/.test(w.o.theme) ? w.o.theme : 'light';
    w.wrap = el('div', 'ssw-w ssw-' + theme);
    w.wrap.setAttribute('lang', w.o.lang === 'zh' ? 'zh-CN' : 'en');
    var bar = el('div', 'ssw-bar' + (w.o.layout === 'column' ? ' ssw-col' : ''));
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', w.t.share);
    for (var i = 0; i < w.o.sites.length; i++) {
      var name = w.o.sites[i], site = SITES.hasOwnProperty(name) && SITES[name];
      if (!site || (site.ok && !site.ok())) continue;
      var b = button(w, site, name);
      if (site.run === openPopup) {
        b.setAttribute('aria-haspopup', 'dialog');
        b.setAttribute('aria-expanded', 'false');
      }
      bar.appendChild(b);
    }
    w.onDoc = function (e) { if (!inside(w, e)) closePopup(w, false); };
    w.onKey = function (e) {
      if (e.key === 'Escape' || e.key === 'Esc' || e.keyCode === 27) closePopup(w, true);
      else if (e.key === 'Tab' || e.keyCode === 9) trap(w, e);
    };
    w.onMove = function () { place(w); };
    w.wrap.appendChild(bar);
    root.appendChild(w.wrap);
    wechatCard(w);
    return w;
  }

  var seen = win.WeakMap ? new win.WeakMap() : null;
  var seenList = [];

  function init(host, options) {
    if (!host || host.nodeType !== 1) return;
    if (seen ? seen.has(host) : seenList.indexOf(host) >= 0) return;
    if (seen) seen.set(host, 1);
    else seenList.push(host);
    try {
      render(host, options);
    } catch (e) {
      warn(e);
    }
  }

  function warn(e) {
    if (win.console && win.console.warn) win.console.warn('ScanShare:', e);
  }

  function scan(node) {
    if (node.nodeType !== 1 && node.nodeType !== 9) return;
    var match = node.matches || node.msMatchesSelector || node.webkitMatchesSelector;
    if (match && match.call(node, SEL)) init(node);
    var list = node.querySelectorAll(SEL);
    for (var i = 0; i < list.length; i++) init(list[i]);
  }

  function start() {
    scan(doc);
    if (!win.MutationObserver) return;
    new win.MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        for (var j = 0; j < records[i].addedNodes.length; j++) scan(records[i].addedNodes[j]);
      }
    }).observe(doc.documentElement, {childList: true, subtree: true});
  }

  win.ScanShare = {init: init, version: '1'};
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})(window, document);
