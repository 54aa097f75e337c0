package incident

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/store"
)

// Benchmark fixture: an organisation's incident register at scale, written
// straight into the tables in a few transactions with multi-row INSERTs (the
// service would take hours for 200k incidents with their lifecycles). The
// rows are the ones the service writes, derived columns included
// (TestSeedMatchesService compares them), and the triggers of migration
// 0026 keep the counts, the rollup and the search index as they do for the
// service.

// Name parts, so titles and descriptions read like a real register.
var (
	seedSites   = []string{"北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "杭州", "南京", "天津", "重庆", "郑州"}
	seedSystems = []string{"门户网站", "OA系统", "财务系统", "邮件系统", "客户管理系统", "人力资源系统", "数据中心", "核心交换网",
		"营销平台", "支付平台", "移动应用", "视频会议系统", "VPN", "域控服务器", "生产管理系统", "数据仓库"}
	// seedKinds pairs a category with what such incidents are called.
	seedKinds = []struct {
		category string
		w        int
		titles   []string
	}{
		{"NA-01", 14, []string{"遭受端口扫描", "发现异常扫描探测", "外部 IP 持续扫描"}},
		{"NA-02", 10, []string{"钓鱼邮件攻击", "员工点击钓鱼链接", "仿冒登录页面钓鱼"}},
		{"NA-03", 8, []string{"漏洞被利用", "Web 漏洞利用攻击", "Struts2 漏洞利用"}},
		{"NA-06", 7, []string{"暴力破解登录", "凭据泄露被盗用", "SSH 口令爆破"}},
		{"NA-08", 6, []string{"遭受 DDoS 攻击", "流量型拒绝服务攻击", "CC 攻击导致访问缓慢"}},
		{"NA-09", 6, []string{"首页被篡改", "网页被篡改", "页面被植入不当言论"}},
		{"NA-10", 2, []string{"被植入暗链", "页面发现博彩暗链"}},
		{"NA-18", 5, []string{"主机失陷外联", "服务器被植入后门", "发现挖矿进程"}},
		{"NA-20", 1, []string{"疑似 APT 攻击", "发现定向攻击痕迹"}},
		{"MP-01", 6, []string{"感染计算机病毒", "终端感染病毒", "发现蠕虫传播"}},
		{"MP-03", 3, []string{"发现木马程序", "终端被植入远控木马"}},
		{"MP-07", 4, []string{"遭受勒索软件攻击", "文件被勒索加密", "勒索病毒感染"}},
		{"MP-08", 3, []string{"挖矿病毒感染", "服务器运行挖矿程序"}},
		{"DS-03", 5, []string{"数据泄露", "客户信息疑似泄露", "敏感文件外发"}},
		{"DS-01", 2, []string{"数据被篡改", "数据库记录被非法修改"}},
		{"DS-11", 2, []string{"数据丢失", "备份数据损坏"}},
		{"IC-04", 2, []string{"发布虚假信息", "出现不实信息"}},
		{"IC-07", 1, []string{"网络欺诈", "仿冒客服诈骗"}},
		{"DE-01", 5, []string{"服务器宕机", "存储故障", "网络设备故障"}},
		{"DE-02", 2, []string{"机房断电", "空调故障导致机房高温"}},
		{"RO-05", 3, []string{"误操作删除数据", "配置误操作导致中断"}},
		{"RO-01", 2, []string{"权限滥用", "越权访问敏感数据"}},
		{"SHE-01", 3, []string{"发现高危漏洞", "存在弱口令"}},
		{"AB-02", 3, []string{"流量异常", "出口流量突增"}},
		{"AB-01", 2, []string{"异常登录", "非工作时间异常访问"}},
		{"", 3, []string{"异常告警待研判", "用户报告系统异常"}},
	}
	seedDetails = []string{
		"监测平台发现异常后立即通知值班人员，", "用户电话报告后经值班人员初步核实，", "上级通报后经排查确认，",
		"安全设备告警显示多次异常请求，", "日志审计系统发现可疑登录记录，", "厂商安全服务团队提示风险，",
	}
	seedImpacts = []string{
		"影响部分用户正常访问。", "暂未发现数据外泄。", "相关业务已临时切换至备用系统。", "需进一步取证分析影响范围。",
		"已上报应急响应工作组。", "涉及主机 10.20.3.15 等多台服务器。", "对外服务中断约 30 分钟。",
	}
	seedPeople = []string{"王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵强", "吴杰", "周涛", "孙丽", "值班室", "SOC"}
	seedNotes  = []string{
		"已隔离受影响主机，断开外网连接", "已通知业务部门暂停相关服务", "联系厂商远程协助排查", "完成日志取证并上传证据",
		"封堵攻击源 IP 地址段", "重置相关账户口令", "恢复备份数据并验证完整性", "向领导小组汇报处置进展",
		"更新 WAF 规则拦截恶意请求", "排查同网段其他主机未见异常", "补丁已安装，复测漏洞已修复", "电话会议讨论下一步处置方案",
		"确认攻击时间线，整理分析报告", "通知用户修改密码", "业务系统恢复正常运行", "持续监测 24 小时无复发",
	}
	seedGradeWeights = []struct{ g, w int }{{1, 2}, {2, 8}, {3, 22}, {4, 60}, {0, 8}}
	seedSources      = []struct {
		s Source
		w int
	}{{SourceMonitoring, 50}, {SourceAlert, 20}, {SourceUserReport, 20}, {SourceExternalNotice, 7}, {SourceRegulator, 3}}
)

func seedPick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

func seedWeighted[T any](r *rand.Rand, items []T, w func(T) int) T {
	total := 0
	for _, it := range items {
		total += w(it)
	}
	n := r.IntN(total)
	for _, it := range items {
		if n -= w(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

// logNormal is a duration around median, spread by a factor of about e^sigma.
func logNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

// seedIncident is one generated incident with its own timeline size.
type seedIncident struct {
	Incident
	entries int
}

// seedIncidents generates n incidents of org discovered over the four years
// before now (more in recent years), the same for the same n and seed:
// numbered per year as the service numbers them, graded mostly IV, nearly
// all older ones closed and the recent ones in every phase, with milestones
// that follow the lifecycle rules of milestones.go (false alarms closed from
// detection included), and entries timeline rows in all.
func seedIncidents(org int64, n, entries int, seed uint64, now time.Time, loc *time.Location) []seedIncident {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	span := 4 * 365 * 24 * time.Hour
	out := make([]seedIncident, n)
	for k := range out {
		// sqrt skews towards now: the later years have more incidents.
		ago := time.Duration(float64(span) * (1 - math.Sqrt(r.Float64())))
		d := now.Add(-ago).Truncate(time.Second)
		kind := seedWeighted(r, seedKinds, func(k struct {
			category string
			w        int
			titles   []string
		}) int {
			return k.w
		})
		system := seedPick(r, seedSystems)
		i := Incident{OrgID: org, Title: seedPick(r, seedSites) + system + seedPick(r, kind.titles),
			Description:  seedPick(r, seedDetails) + system + seedPick(r, kind.titles) + "，" + seedPick(r, seedImpacts),
			DiscoveredAt: d, ReporterName: seedPick(r, seedPeople), ReportedBy: 1,
			Source: seedWeighted(r, seedSources, func(s struct {
				s Source
				w int
			}) int {
				return s.w
			}).s,
			Category: kind.category, BusinessSystems: []string{system}, Figures: map[string]int64{}, AssetIDs: []int64{}}
		if i.Source == SourceAlert {
			i.AlertRef = fmt.Sprintf("ALERT-%07d", k+1)
		}
		if g := seedWeighted(r, seedGradeWeights, func(g struct{ g, w int }) int { return g.w }).g; g != 0 {
			gradedAt := d.Add(logNormal(r, 20*time.Minute, 0.8))
			i.Grade, i.GradedBy, i.GradedAt = &g, 1, &gradedAt
			i.GradeConfirmed = r.IntN(10) != 0
			i.GradeRule = &Rule{Kind: "reporter"}
			if i.GradeConfirmed {
				i.GradeRule, i.GradeReason = &Rule{Kind: "manual"}, "依据影响范围确认"
			}
			if g <= GradeIII {
				due := d.Add(4 * time.Hour)
				i.ReportDueAt = &due
				if r.IntN(20) != 0 {
					rep := d.Add(logNormal(r, 2*time.Hour, 0.5))
					i.ReportedAt = &rep
				}
			}
		}
		if r.IntN(5) < 3 {
			o := d.Add(-logNormal(r, 6*time.Hour, 1.5))
			i.OccurredAt = &o
		}
		seedLifecycle(r, &i, now, ago)
		i.CreatedAt = d.Add(time.Duration(r.IntN(600)) * time.Second)
		i.UpdatedAt = i.CreatedAt
		for _, t := range []*time.Time{i.RespondedAt, i.ContainedAt, i.ClosedAt, i.HandlingEndedAt} {
			if t != nil && t.After(i.UpdatedAt) {
				i.UpdatedAt = *t
			}
		}
		out[k] = seedIncident{Incident: i}
	}
	// Timeline sizes: most incidents a few entries, some many.
	total := 0
	for k := range out {
		m := 2 + r.IntN(12)
		if r.IntN(100) == 0 {
			m += 20 + r.IntN(200)
		}
		out[k].entries = m
		total += m
	}
	for total != entries && n > 0 {
		k := r.IntN(n)
		if total < entries {
			out[k].entries++
			total++
		} else if out[k].entries > 1 {
			out[k].entries--
			total--
		}
	}
	numberYears(out, loc)
	return out
}

// seedLifecycle places the incident in a phase fitting its age and sets the
// milestones reached on the way.
func seedLifecycle(r *rand.Rand, i *Incident, now time.Time, ago time.Duration) {
	d := i.DiscoveredAt
	respond := d.Add(logNormal(r, 40*time.Minute, 1.0))
	contain := respond.Add(logNormal(r, 8*time.Hour, 1.0))
	closeAt := contain.Add(logNormal(r, 4*24*time.Hour, 0.8))
	phase := PhaseClosed
	if ago < 45*24*time.Hour {
		phase = seedPick(r, []Phase{PhaseDetection, PhaseContainment, PhaseContainment, PhaseEradication, PhaseRecovery,
			PhaseSummary, PhaseClosed, PhaseClosed})
	} else if r.IntN(50) == 0 {
		phase = PhaseSummary // a summary report still being written
	}
	// A phase whose milestone lies in the future is not reached yet.
	switch {
	case respond.After(now):
		phase = PhaseDetection
	case contain.After(now) && phaseIndex(phase) > phaseIndex(PhaseContainment):
		phase = PhaseContainment
	case closeAt.After(now) && phase == PhaseClosed:
		phase = PhaseRecovery
	}
	i.Phase, i.Status = phase, "open"
	if phase == PhaseClosed {
		i.Status = "closed"
		if r.IntN(12) == 0 { // a false alarm, closed from detection
			i.RespondedAt, i.ClosedAt = &respond, &respond
			return
		}
	}
	if phaseIndex(phase) > phaseIndex(PhaseDetection) {
		i.RespondedAt = &respond
	}
	if phaseIndex(phase) > phaseIndex(PhaseContainment) {
		i.ContainedAt = &contain
	}
	if phaseIndex(phase) >= phaseIndex(PhaseSummary) {
		ended := contain.Add((closeAt.Sub(contain)) / 2)
		if phase != PhaseClosed {
			ended = contain
		}
		i.HandlingEndedAt = &ended
		if i.ReportDueAt != nil {
			due := ended.Add(SummaryWindow)
			i.SummaryDueAt = &due
		}
	}
	if phase == PhaseClosed {
		i.ClosedAt = &closeAt
	}
}

// numberYears puts the incidents in order of creation (the order the
// service would have written them in, so ids follow time) and numbers them
// SJ-<year>-NNNN per year of the installation's zone, as nextNumber does.
func numberYears(incs []seedIncident, loc *time.Location) {
	slices.SortStableFunc(incs, func(a, b seedIncident) int { return a.CreatedAt.Compare(b.CreatedAt) })
	perYear := map[int]int{}
	for k := range incs {
		y := incs[k].CreatedAt.In(loc).Year()
		perYear[y]++
		incs[k].Number = fmt.Sprintf("SJ-%d-%04d", y, perYear[y])
	}
}

// seedColumns are the columns the service writes when an incident is
// reported and worked (Create, writeDerived, the lifecycle, grading).
const seedColumns = `org_id, number, title, description, discovered_at, reported_by, reporter_name, source, alert_ref,
	business_systems, category, grade, grade_confirmed, grade_rule, grade_reason, graded_by, graded_at, phase, status,
	report_due_at, reported_at, handling_ended_at, summary_due_at, created_at, updated_at, occurred_at, responded_at,
	contained_at, closed_at, discovered_month, search_terms`

const seedParams = 31

func (s seedIncident) args(loc *time.Location) []any {
	i := s.Incident
	return []any{i.OrgID, i.Number, i.Title, i.Description, store.Micros(i.DiscoveredAt), i.ReportedBy, i.ReporterName,
		i.Source, i.AlertRef, strings.Join(i.BusinessSystems, "\n"), i.Category, gradeArg(i.Grade), i.GradeConfirmed,
		jsonOrEmpty(i.GradeRule), i.GradeReason, i.GradedBy, timeArg(i.GradedAt), i.Phase, i.Status, timeArg(i.ReportDueAt),
		timeArg(i.ReportedAt), timeArg(i.HandlingEndedAt), timeArg(i.SummaryDueAt), store.Micros(i.CreatedAt),
		store.Micros(i.UpdatedAt), timeArg(i.OccurredAt), timeArg(i.RespondedAt), timeArg(i.ContainedAt), timeArg(i.ClosedAt),
		monthOf(i.DiscoveredAt, loc), searchTerms(i.Number, i.Title, i.Description, strings.Join(i.BusinessSystems, "\n"))}
}

// seedBatch is how many rows one INSERT carries: PostgreSQL saves round
// trips with large statements; SQLite binds $N by searching the
// statement's parameter names, so its statements stay small (see
// docs/benchmarks.md, section 6).
func seedBatch(d store.Dialect, params int) int {
	if d == store.Postgres {
		return 8000 / params
	}
	return max(1, 320/params)
}

// insertRows writes rows (each params values) into table's cols, batched,
// with one prepared statement for the full batches.
func insertRows(ctx context.Context, tx *store.Tx, table, cols string, params int, rows [][]any) error {
	per := seedBatch(tx.Dialect, params)
	stmtFor := func(nrows int) string {
		var sb strings.Builder
		sb.WriteString(`INSERT INTO ` + table + ` (` + cols + `) VALUES `)
		for r := range nrows {
			if r > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for c := range params {
				if c > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "$%d", r*params+c+1)
			}
			sb.WriteString(")")
		}
		return sb.String()
	}
	full, err := tx.PrepareContext(ctx, stmtFor(per))
	if err != nil {
		return fmt.Errorf("seed %s: prepare: %w", table, err)
	}
	defer full.Close()
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(batch)*params)
		for _, r := range batch {
			args = append(args, r...)
		}
		if len(batch) == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmtFor(len(batch)), args...)
		}
		if err != nil {
			return fmt.Errorf("seed %s rows %d-%d: %w", table, start+1, start+len(batch), err)
		}
	}
	return nil
}

// seedChunk is how many incidents one transaction writes.
const seedChunk = 20000

// seedWrite writes the incidents and their timelines into the database,
// sets their ids, and moves the organisation's number counters past them.
func seedWrite(ctx context.Context, db *store.DB, incs []seedIncident, loc *time.Location, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 20986))
	for start := 0; start < len(incs); start += seedChunk {
		chunk := incs[start:min(start+seedChunk, len(incs))]
		err := db.Tx(ctx, func(tx *store.Tx) error {
			rows := make([][]any, len(chunk))
			for k := range chunk {
				rows[k] = chunk[k].args(loc)
			}
			if err := insertRows(ctx, tx, "incidents", seedColumns, seedParams, rows); err != nil {
				return err
			}
			// Ids in insertion order: read them back by number.
			ids := map[string]int64{}
			q, err := tx.QueryContext(ctx, `SELECT number, id FROM incidents WHERE org_id = $1 AND id >= (SELECT MIN(id) FROM incidents
				WHERE org_id = $1 AND number = $2)`, chunk[0].OrgID, chunk[0].Number)
			if err != nil {
				return fmt.Errorf("seed: read ids: %w", err)
			}
			for q.Next() {
				var num string
				var id int64
				if err := q.Scan(&num, &id); err != nil {
					q.Close()
					return fmt.Errorf("seed: read ids: %w", err)
				}
				ids[num] = id
			}
			q.Close()
			var trows [][]any
			for k := range chunk {
				chunk[k].ID = ids[chunk[k].Number]
				if chunk[k].ID == 0 {
					return fmt.Errorf("seed: no id for %s", chunk[k].Number)
				}
				trows = append(trows, timelineRows(r, chunk[k])...)
			}
			return insertRows(ctx, tx, "incident_timeline", `org_id, incident_id, kind, body, happened_at, author_id, author_name, created_at`, 8, trows)
		})
		if err != nil {
			return err
		}
	}
	return db.Tx(ctx, func(tx *store.Tx) error {
		last := map[string]int{}
		org := int64(0)
		for _, i := range incs {
			org = i.OrgID
			y, n, _ := strings.Cut(strings.TrimPrefix(i.Number, "SJ-"), "-")
			v, _ := strconv.Atoi(n) // not fmt.Sscan: "0119" would read as octal
			last[y] = max(last[y], v)
		}
		for y, v := range last {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, $2, $3)
				ON CONFLICT (org_id, name) DO UPDATE SET value = excluded.value`, org, "incident-"+y, v); err != nil {
				return fmt.Errorf("seed counters: %w", err)
			}
		}
		return nil
	})
}

// timelineRows are the entries people added to i: things done outside
// Bulwark and comments, spread over its handling.
func timelineRows(r *rand.Rand, i seedIncident) [][]any {
	end := i.UpdatedAt
	if end.Before(i.DiscoveredAt.Add(time.Hour)) {
		end = i.DiscoveredAt.Add(time.Hour)
	}
	span := end.Sub(i.DiscoveredAt)
	out := make([][]any, i.entries)
	for k := range out {
		at := i.DiscoveredAt.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Microsecond)
		kind := EntryManual
		if r.IntN(5) < 2 {
			kind = EntryComment
		}
		out[k] = []any{i.OrgID, i.ID, kind, seedPick(r, seedNotes), store.Micros(at), int64(1), seedPick(r, seedPeople),
			store.Micros(at.Add(time.Duration(r.IntN(3600)) * time.Second))}
	}
	return out
}
