package report

import (
	"fmt"
	"iter"
	"time"
)

// sampleDoc is a representative report: Chinese and English, every block
// kind, characters XML and HTML must escape, a control character that
// must vanish, and a table streamed from an iterator.
func sampleDoc() Document {
	timeline := func(yield func([]string) bool) {
		for i := range 3 {
			if !yield([]string{fmt.Sprintf("2026-11-20 10:%02d", i*5), fmt.Sprintf("处置步骤 %d <step>", i+1), "张三"}) {
				return
			}
		}
	}
	return Document{
		Title:    "信息安全事件应急处置报告",
		Subtitle: "SJ-2026-0001 · Incident Response Report",
		Created:  time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC),
		Meta: []KV{
			{"事件编号", "SJ-2026-0001"},
			{"事件分类", "有害程序事件 (MI) / 勒索软件事件"},
			{"事件级别", "较大 (III)"},
			{"Organisation", `Acme & Sons "Ltd" <CII>`},
		},
		Blocks: []Block{
			Heading(1, "一、事件概述"),
			Paragraph("2026年11月20日09:30，监控发现门户网站首页被篡改。\nThe home page showed <script>alert('x')</script> & a \x07bell."),
			Marked("处置结论：**已恢复**，原因为 *弱口令*，受影响主机 `10.0.0.8`；" + Escape("原文 *不是强调* `也不是代码`")),
			Heading(2, "1.1 分类与定级"),
			KVTable(KV{"类别 Category", "网络攻击事件 / 网页篡改"}, KV{"依据", "GB/T 20986-2023 附录 A"}),
			Heading(2, "1.2 处置时间线 Timeline"),
			Table([]string{"时间", "动作 Action", "执行人"}, [][]string{{"2026-11-20 09:30", "发现 & 上报", "李四"}}).WithWidths(2, 5, 2),
			StreamTable([]string{"时间", "动作 Action", "执行人"}, iter.Seq[[]string](timeline)).WithWidths(2, 5, 2),
			Table(nil, [][]string{{"无表头", "short row"}, {"only one"}}),
			Heading(3, "经验教训 Lessons"),
			List(false, "加强口令策略", "Enable MFA for admins"),
			List(true, "隔离主机", "清除后门 <webshell>", "恢复页面"),
			List(true, "重新编号 restarts at 1"),
			PageBreak(),
			Heading(1, "二、签字 Sign-off"),
			Signatures([]string{"", "签字", "日期"},
				Signature{Role: "编制", Name: "王五", Date: "2026-11-20"},
				Signature{Role: "审核", Name: "赵六"},
				Signature{Role: "批准"}),
		},
	}
}
