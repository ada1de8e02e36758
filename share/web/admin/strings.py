"""Chinese (zh-CN) text of the dashboard, keyed by the English text."""

ZH = {
    "24 hours": "24 小时",
    "7 days": "7 天",
    "30 days": "30 天",
    "90 days": "90 天",
    "A list of articles": "批量添加文章",
    "API keys": "API 密钥",
    "All time": "全部",
    "Article": "文章",
    "Ascending": "升序",
    "Bots and previews": "机器人与链接预览",
    "Bots and previews (not counted as scans)": "机器人与链接预览（不计入扫码）",
    "Campaign tags may follow a comma, separated by | or ;": "可在逗号后附加活动标签，用 | 或 ; 分隔",
    "Cancel": "取消",
    "Chart range": "图表范围",
    "Client app": "客户端应用",
    "Code or reason": "短码或原因",
    "Copied": "已复制",
    "Copy": "复制",
    "Create": "创建",
    "Create all": "全部创建",
    "Create key": "创建密钥",
    "Created": "创建时间",
    "Dashboard": "数据面板",
    "Day": "日期",
    "Descending": "降序",
    "Description": "摘要",
    "Disable": "停用",
    "Delete link": "删除链接",
    "Delete this link for good? Its scans, widget opens and statistics are removed and cannot "
    "be restored; its QR codes will answer 410 Gone and its code is never used again.": (
        "永久删除此链接？它的扫码记录、弹窗打开次数和统计数据将被删除且无法恢复；"
        "它的二维码将返回 410（已删除），短码也不会再被使用。"
    ),
    "What will be lost:": "将丢失：",
    "{n} human scans": "{n} 次真人扫码",
    "{n} bot and link-preview visits": "{n} 次机器人与链接预览访问",
    "{n} widget popup opens": "{n} 次分享弹窗打开",
    "{n} share-button clicks": "{n} 次分享按钮点击",
    "Shares and visits back": "分享与回访",
    "Channel": "渠道",
    "Shares": "分享次数",
    "Visits back": "回访次数",
    "WeChat popup (opens → scans)": "微信弹窗（打开 → 扫码）",
    "Link deleted: {name}": "链接已删除：{name}",
    "This link had already been deleted.": "此链接已被删除。",
    "Download raw scans (CSV)": "下载原始扫码记录（CSV）",
    "Download series (CSV)": "下载时间序列（CSV）",
    "Edit": "编辑",
    "Enable": "启用",
    "Fetches": "抓取次数",
    "From": "从",
    "Hour": "小时",
    "Human scans": "真人扫码",
    "Human scans by client app": "各客户端的真人扫码",
    "Human scans exclude bots and link previews, which are counted apart.": (
        "真人扫码不含机器人和链接预览，后者单独统计。"
    ),
    "Image URL": "图片网址",
    "Key created. Copy it now: it is not shown again.": "密钥已创建。请立即复制：它不会再次显示。",
    "Key revoked.": "密钥已吊销。",
    "Last": "最近",
    "Last scan": "最近扫码",
    "Last used": "最近使用",
    "Line": "行",
    "Link created.": "链接已创建。",
    "Link disabled.": "链接已停用。",
    "Link enabled.": "链接已启用。",
    "Log in": "登录",
    "Log out": "退出",
    "The article could not be fetched:": "无法抓取这篇文章：",
    "Metadata refreshed.": "文章信息已更新。",
    "Name": "名称",
    "New links": "新建链接",
    "Next": "下一页",
    "No articles yet.": "还没有文章。",
    "No keys yet.": "还没有密钥。",
    "No live key has that prefix.": "没有以此开头的有效密钥。",
    "No referrers in this range.": "此范围内没有来源。",
    "No scans in this range.": "此范围内没有扫码。",
    "None in this range.": "此范围内没有。",
    "Not saved: {reason}": "未保存：{reason}",
    "One URL per line, at most {n}": "每行一个网址，最多 {n} 个",
    "One article": "单篇文章",
    "Order": "顺序",
    "Overview": "总览",
    "Page {page} of {pages}": "第 {page} 页，共 {pages} 页",
    "Password": "密码",
    "Paste at most {n} URLs at a time.": "一次最多粘贴 {n} 个网址。",
    "Placement": "投放位置",
    "Platform": "平台",
    "Please confirm": "请确认",
    "Poster card": "海报卡片",
    "Prefix": "前缀",
    "Previous": "上一页",
    "QR code of the short link": "短链接二维码",
    "QR codes and cards": "二维码与分享卡片",
    "Range": "范围",
    "Referrer hosts": "来源网站",
    "Refresh metadata": "重新抓取文章信息",
    "Refused: {reason}": "已拒绝：{reason}",
    "Result": "结果",
    "Revoke": "吊销",
    "Revoke the API key {prefix}? Programs using it stop working at once.": (
        "吊销 API 密钥 {prefix}？使用它的程序会立即失效。"
    ),
    "Save": "保存",
    "Saved. Empty fields use the article's own value again.": "已保存。留空的字段重新使用文章自身的信息。",
    "Scans": "扫码",
    "Scans 30 d": "30 天扫码",
    "Scans 7 d": "7 天扫码",
    "Scans all time": "累计扫码",
    "Search": "搜索",
    "Search title or URL": "搜索标题或网址",
    "Short link": "短链接",
    "Show": "显示",
    "Sort by": "排序方式",
    "Table of the chart": "图表数据表",
    "Tag": "标签",
    "Tags": "标签",
    "Top articles carrying the tag {tag}": "带有标签 {tag} 的热门文章",
    "This article already had a link.": "这篇文章已有链接。",
    "Times in {tz}": "时间以 {tz} 显示",
    "Title": "标题",
    "To": "到",
    "Today": "今天",
    "Top articles": "热门文章",
    "Total": "合计",
    "Unique scanners": "独立扫码人数",
    "User agent": "用户代理",
    "Username": "用户名",
    "Wide card": "横版卡片",
    "Widget popup opens": "分享弹窗打开次数",
    "Widget scans per open": "每次弹窗的扫码数",
    "Widget snippet": "分享组件代码",
    "Wrong username or password.": "用户名或密码错误。",
    "Too many failed logins; wait a while and try again.": "登录失败次数过多，请稍后再试。",
    "Yes, do it": "确定",
    "You are logged out.": "已退出登录。",
    "disabled": "已停用",
    "revoked": "已吊销",
    "created": "已创建",
    "existing": "已存在",
    "refused": "已拒绝",
    "{created} created, {existing} already existed, {refused} refused.": (
        "新建 {created} 个，已存在 {existing} 个，拒绝 {refused} 个。"
    ),
    "Disable this link? Its QR codes will answer 410 Gone until you enable it again.": (
        "停用此链接？在重新启用前，它的二维码将返回 410（已停用）。"
    ),
    "Enable this link again? Its QR codes will redirect and count scans.": (
        "重新启用此链接？它的二维码将恢复跳转并统计扫码。"
    ),
    "Fetch the article's title, description and image again?": "重新抓取文章的标题、摘要和图片？",
    "Give both dates as YYYY-MM-DD.": "请按 YYYY-MM-DD 填写两个日期。",
    "The first day must be on or before the last day.": "开始日期不能晚于结束日期。",
    "Choose at most 366 days.": "最多选择 366 天。",
    "Give the key a name of 1 to 100 characters.": "请为密钥起一个 1 到 100 个字符的名称。",
    # the Brand page (share/web/admin/brand.py) and the logo checks (share/qr/logo.py)
    "Brand": "品牌",
    "Logo in QR codes": "二维码中的标志",
    "Codes asked for with logo=1 show this logo in the centre; each one is decoded before it "
    "is served.": "带 logo=1 参数的二维码会在中央显示此标志；每个二维码在提供前都会先解码验证。",
    "Current logo": "当前标志",
    "Uploaded {when}.": "上传于 {when}。",
    "From the SHARE_QR_LOGO file.": "来自 SHARE_QR_LOGO 文件。",
    "No logo yet.": "尚未设置标志。",
    "PNG or JPEG, at most {kb} KB": "PNG 或 JPEG，最大 {kb} KB",
    "Upload logo": "上传标志",
    "Remove logo": "移除标志",
    "Logo saved. QR codes with logo=1 use it from now on.": "标志已保存。带 logo=1 的二维码从现在起使用它。",
    "Logo removed.": "标志已移除。",
    "No uploaded logo to remove.": "没有可移除的已上传标志。",
    "The file is empty: choose a PNG or JPEG logo.": "文件为空：请选择 PNG 或 JPEG 格式的标志。",
    "The file is {size} KB; a logo may be at most {limit} KB. Export it smaller (512 × 512 "
    "pixels is plenty).": "文件大小为 {size} KB，标志最大 {limit} KB。请导出更小的文件（512 × 512 像素足够）。",
    "SVG logos are not accepted (they can carry scripts and links). Export the logo as a PNG "
    "of about 512 × 512 pixels and upload that.": (
        "不接受 SVG 标志（其中可能含有脚本和链接）。请将标志导出为约 512 × 512 像素的 PNG 后上传。"
    ),
    "This is not a PNG or JPEG image: upload the logo as PNG or JPEG.": (
        "这不是 PNG 或 JPEG 图片：请上传 PNG 或 JPEG 格式的标志。"
    ),
    "The image cannot be read safely (damaged, or over {mp} megapixels): export it again as "
    "PNG.": "无法安全读取此图片（已损坏或超过 {mp} 百万像素）：请重新导出为 PNG。",
    "The logo is too small: use at least {side} × {side} pixels.": "标志太小：请至少使用 {side} × {side} 像素。",
    "Skip to content": "跳到正文",
    "Visits per share": "每次分享带来的访问",
    "Previous period: {n}": "上一周期：{n}",
    "Live": "实时",
    "The last 30 minutes, minute by minute; this page refreshes itself every {n} seconds.": (
        "最近 30 分钟，按分钟统计；本页每 {n} 秒自动刷新。"
    ),
    "Human scans per minute": "每分钟真人扫码",
    "No scans in the last 30 minutes.": "最近 30 分钟没有扫码。",
    "Minute": "分钟",
    "WeChat": "微信",
    "WeCom": "企业微信",
    "Weibo": "微博",
    "Alipay": "支付宝",
    "DingTalk": "钉钉",
    "Browser": "浏览器",
    "Other": "其他",
    "Plain link": "普通链接",
    "Widget popup": "分享弹窗",
    "Share card": "分享卡片",
    "Print": "印刷品",
    "Copied link": "复制链接",
    "System share": "系统分享",
    "Qzone": "QQ空间",
    "Douban": "豆瓣",
    "Email": "邮件",
    "How WeChat will show this link": "链接在微信中的显示效果",
    "Chat card preview": "聊天卡片预览",
    "Nothing to fix: WeChat will show the title, summary and image.": (
        "无需修改：微信会显示标题、摘要和图片。"
    ),
    "The article could not be fetched ({reason}): WeChat will not read it either.": (
        "无法抓取文章（{reason}）：微信也读取不到。"
    ),
    "The article's host is not in SHARE_ALLOWED_HOSTS: the widget cannot register "
    "or sign its pages.": "文章的域名不在 SHARE_ALLOWED_HOSTS 中：分享组件无法为其页面登记链接或签名。",
    "WeChat's JS-SDK is not configured (SHARE_WECHAT_APP_ID): shared from inside "
    "WeChat, the article shows as a bare link with a generic icon.": (
        "未配置微信 JS-SDK（SHARE_WECHAT_APP_ID）：在微信内转发时，文章只显示为带通用图标的链接。"
    ),
    "The article has no image: WeChat shows a generic icon. Give the page an "
    "og:image of at least {n}×{n} px.": (
        "文章没有图片：微信会显示通用图标。请为页面设置至少 {n}×{n} 像素的 og:image。"
    ),
    "The article's image could not be fetched: WeChat will show a generic icon.": (
        "无法获取文章图片：微信会显示通用图标。"
    ),
    "The article's image is not a PNG, JPEG, GIF or WebP picture WeChat can show.": (
        "文章图片不是微信能显示的 PNG、JPEG、GIF 或 WebP 图片。"
    ),
    "The image is {w}×{h} px: WeChat wants at least {n} px on the short side, or "
    "it looks blurred.": "图片为 {w}×{h} 像素：微信要求短边至少 {n} 像素，否则会模糊。",
    "The article has no title: WeChat shows its URL.": "文章没有标题：微信会显示其网址。",
    "The article's image is still being measured; reload the page in a moment.": (
        "正在检测文章图片的尺寸，请稍后刷新页面。"
    ),
    "The title is cut after about {n} characters in a chat; put what matters first.": (
        "标题在聊天中约 {n} 个字后会被截断，请把重点放在前面。"
    ),
    "The article has no summary: the card shows its URL instead.": (
        "文章没有摘要：卡片会改为显示网址。"
    ),
    "The summary is cut after about {n} characters in a chat.": "摘要在聊天中约 {n} 个字后会被截断。",
}
