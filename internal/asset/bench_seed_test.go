package asset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"bulwark/internal/store"
)

// Benchmark fixture: a register of realistic assets in one organisation,
// written straight into the table in one transaction (the service would take
// minutes for 100k Creates, each with its audit record). The rows are the
// ones Service.insert writes: lists joined with "\n", value from the value
// method, search_terms from (*Asset).searchTerms, numbers ZC-000001… and the
// organisation's counter at the last number. TestSeedMatchesService checks
// this against the service on a small register.

// Name parts. Names read like a real register: site, kind, serial.
var (
	benchSites = []string{"北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "杭州", "南京", "天津", "重庆", "郑州"}
	benchKinds = map[Type][]struct{ name, subtype string }{
		TypeNetwork: {{"核心交换机", "switch"}, {"汇聚交换机", "switch"}, {"接入交换机", "switch"}, {"出口路由器", "router"},
			{"无线AP", "wireless_ap"}, {"负载均衡器", "load_balancer"}},
		TypeServer: {{"数据库服务器", "physical"}, {"Web服务器", "virtual"}, {"邮件服务器", "virtual"}, {"应用服务器", "virtual"},
			{"文件服务器", "physical"}, {"域控服务器", "virtual"}, {"小型机", "minicomputer"}},
		TypeApplication: {{"数据库", "database"}, {"门户网站", "web"}, {"邮件系统", "mail"}, {"DNS服务", "dns"},
			{"中间件", "middleware"}},
		TypeSecurity: {{"防火墙", "firewall"}, {"VPN网关", "vpn_gateway"}, {"入侵检测系统", "ids_ips"}, {"Web应用防火墙", "waf"},
			{"防病毒网关", "antivirus"}, {"日志审计系统", "audit"}, {"堡垒机", "audit"}},
		TypeTerminal: {{"办公终端", "desktop"}, {"笔记本电脑", "laptop"}, {"移动终端", "mobile"}},
		TypeStorage:  {{"存储阵列", "san"}, {"NAS存储", "nas"}, {"磁带库", "tape"}},
		TypeData: {{"客户数据", ""}, {"财务数据", ""}, {"人事档案数据", ""}, {"合同数据", ""}, {"日志数据", ""},
			{"交易数据", ""}},
		TypeOther: {{"UPS电源", ""}, {"精密空调", ""}, {"门禁系统", ""}, {"视频监控", ""}},
	}
	// Terminals outnumber everything, as in a real register.
	benchTypeWeights = []struct {
		t Type
		w int
	}{{TypeNetwork, 12}, {TypeServer, 16}, {TypeApplication, 8}, {TypeSecurity, 6}, {TypeTerminal, 40},
		{TypeStorage, 4}, {TypeData, 8}, {TypeOther, 6}}
	benchStatusWeights = []struct {
		s Status
		w int
	}{{StatusInUse, 70}, {StatusIdle, 10}, {StatusMaintenance, 6}, {StatusPlanned, 6}, {StatusRetired, 8}}
	benchDepartments = []string{"信息技术部", "网络安全部", "财务部", "人力资源部", "市场部", "销售一部", "销售二部", "销售三部",
		"客户服务部", "法务合规部", "审计部", "行政部", "采购部", "研发一部", "研发二部", "研发三部", "测试部", "运维部",
		"数据中心", "风险管理部", "战略发展部", "品牌部", "物流部", "生产部", "质量部", "国际业务部", "投资部", "董事会办公室",
		"党群工作部", "工会", "培训中心", "华东分公司", "华南分公司", "西南分公司", "华北分公司"}
	benchSystemHeads = []string{"客户", "财务", "人力", "供应链", "办公", "营销", "生产", "风控", "数据", "安全", "合同",
		"采购", "仓储", "物流", "资产", "档案", "报表", "结算", "支付", "会员", "订单", "知识"}
	benchSystemTails = []string{"管理系统", "服务平台", "门户", "中台", "分析系统", "监控平台"}
	benchOS          = map[Type][]string{
		TypeNetwork:  {"Huawei VRP V8", "H3C Comware 7", "Cisco IOS XE 17", "Ruijie RGOS 11"},
		TypeServer:   {"CentOS 7.9", "Ubuntu 22.04", "Red Hat Enterprise Linux 8", "Windows Server 2019", "麒麟 V10", "统信UOS 20", "AIX 7.2"},
		TypeSecurity: {"Hillstone StoneOS", "Sangfor AF 8", "Topsec TOS", "FortiOS 7"},
		TypeTerminal: {"Windows 10", "Windows 11", "麒麟 V10 桌面版", "统信UOS 20 桌面版", "macOS 14", "Android 14", "iOS 17"},
		TypeStorage:  {"OceanStor OS", "ONTAP 9"},
	}
	benchVendors = map[Type][]string{
		TypeNetwork:  {"华为 S12700E", "华为 S5735", "H3C S6800", "锐捷 RG-S6120", "Cisco C9300"},
		TypeServer:   {"联想 ThinkSystem SR650", "浪潮 NF5280M6", "华为 FusionServer 2288H", "Dell PowerEdge R750", "IBM Power S922"},
		TypeSecurity: {"深信服 AF-1000", "天融信 NGFW4000", "山石网科 SG-6000", "奇安信 网神SecGate", "启明星辰 天阗"},
		TypeTerminal: {"联想 ThinkCentre M920", "联想 ThinkPad T14", "华为 MateBook 14", "Dell OptiPlex 7090", "Apple MacBook Pro"},
		TypeStorage:  {"华为 OceanStor 5310", "NetApp FAS2750", "IBM TS4300"},
	}
	benchTags    = []string{"核心", "等保三级", "等保二级", "互联网暴露", "关键信息基础设施", "生产", "测试", "备份", "灾备", "外包运维", "云上", "信创"}
	benchSurname = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
	benchGiven   = []string{"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强"}
	benchRooms   = []string{"A座3层机房", "B座1层机房", "数据中心2号楼", "办公区", "灾备中心", "分支机房"}
	benchNets    = []string{"10.10", "10.20", "10.30", "172.16", "172.20", "192.168"}
	benchHostPre = map[Type]string{TypeNetwork: "sw", TypeServer: "srv", TypeApplication: "app", TypeSecurity: "sec",
		TypeTerminal: "pc", TypeStorage: "stor"}
	benchNotes = []string{"", "", "", "2024年完成等保测评整改", "纳入年度巡检", "计划明年更换", "供应商负责维保，合同至2027年",
		"Public-facing; reviewed quarterly"}
)

// benchSystems are the business systems: every head with every tail (132).
func benchSystems() []string {
	out := make([]string, 0, len(benchSystemHeads)*len(benchSystemTails))
	for _, h := range benchSystemHeads {
		for _, t := range benchSystemTails {
			out = append(out, h+t)
		}
	}
	return out
}

func pickWeighted[T any](r *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	n := r.IntN(total)
	for _, it := range items {
		if n -= weight(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// benchAssets returns n assets, the same ones for the same n on every run,
// normalised and valid, numbered ZC-000001… with times spread over three
// years before now.
func benchAssets(n int, now time.Time) []Asset {
	r := rand.New(rand.NewPCG(20984, uint64(n)))
	systems := benchSystems()
	out := make([]Asset, n)
	for i := range out {
		typ := pickWeighted(r, benchTypeWeights, func(w struct {
			t Type
			w int
		}) int {
			return w.w
		}).t
		kind := pick(r, benchKinds[typ])
		site := pick(r, benchSites)
		a := Asset{
			Number:         fmt.Sprintf("ZC-%06d", i+1),
			Name:           fmt.Sprintf("%s%s-%03d", site, kind.name, r.IntN(1000)),
			Type:           typ,
			Subtype:        kind.subtype,
			Owner:          pick(r, benchSurname) + pick(r, benchGiven),
			Department:     pick(r, benchDepartments),
			Location:       site + pick(r, benchRooms),
			BusinessSystem: pick(r, systems),
			Status: pickWeighted(r, benchStatusWeights, func(w struct {
				s Status
				w int
			}) int {
				return w.w
			}).s,
			Notes: pick(r, benchNotes),
			C:     1 + r.IntN(5), I: 1 + r.IntN(5), A: 1 + r.IntN(5),
		}
		if oses := benchOS[typ]; oses != nil {
			a.OS = pick(r, oses)
		}
		if vendors := benchVendors[typ]; vendors != nil {
			a.VendorModel = pick(r, vendors)
		}
		if pre, ok := benchHostPre[typ]; ok {
			net := pick(r, benchNets)
			for range 1 + r.IntN(2) {
				a.IPs = append(a.IPs, fmt.Sprintf("%s.%d.%d", net, r.IntN(256), 1+r.IntN(254)))
			}
			a.Hostnames = []string{fmt.Sprintf("%s-%s-%05d.corp.example.cn", pre, strings.ToLower(kind.subtype), i+1)}
		}
		for range r.IntN(4) {
			a.Tags = append(a.Tags, pick(r, benchTags))
		}
		a.CreatedAt = now.Add(-time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour)))).Truncate(time.Microsecond)
		a.UpdatedAt = a.CreatedAt.Add(time.Duration(r.Int64N(int64(now.Sub(a.CreatedAt)) + 1))).Truncate(time.Microsecond)
		a.Normalize()
		out[i] = a
	}
	return out
}

// benchSeedOrg creates an organisation for the fixture and returns its id.
func benchSeedOrg(ctx context.Context, db *store.DB, name string, now time.Time) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO organizations (name, org_type, created_at) VALUES ($1, 'other', $2) RETURNING id`,
			name, store.Micros(now)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("seed organisation: %w", err)
	}
	return id, nil
}

// benchSeedColumns are written per row; 23 parameters a row.
const benchSeedColumns = `org_id, number, name, asset_type, subtype, owner, department, location, ips, hostnames, os,
	vendor_model, business_system, status, tags, notes, confidentiality, integrity, availability, asset_value,
	search_terms, created_at, updated_at`

// benchSeedBatch is how many rows go in one INSERT. PostgreSQL takes 400
// (23 × 400 parameters, under its 65535) to save round trips. SQLite looks
// each $N up in a list of the statement's names, so binding is quadratic in
// the parameters of one statement: 400 rows took two minutes for 100k
// assets, 20 rows take seconds (and there is no round trip to save).
func benchSeedBatch(d store.Dialect) int {
	if d == store.Postgres {
		return 400
	}
	return 20
}

// benchSeed writes assets into org orgID in one transaction, as
// Service.insert would write each (value computed with method), and moves the
// organisation's number counter past them. It sets OrgID and Value in assets.
func benchSeed(ctx context.Context, db *store.DB, orgID int64, method ValueMethod, assets []Asset) error {
	return db.Tx(ctx, func(tx *store.Tx) error {
		size := benchSeedBatch(db.Dialect)
		for start := 0; start < len(assets); start += size {
			batch := assets[start:min(start+size, len(assets))]
			var sb strings.Builder
			sb.WriteString(`INSERT INTO assets (` + benchSeedColumns + `) VALUES `)
			args := make([]any, 0, len(batch)*23)
			for i := range batch {
				a := &batch[i]
				a.OrgID = orgID
				a.Value = method.Compute(a.C, a.I, a.A)
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(")
				for c := range 23 {
					if c > 0 {
						sb.WriteString(", ")
					}
					fmt.Fprintf(&sb, "$%d", len(args)+c+1)
				}
				sb.WriteString(")")
				args = append(args, a.OrgID, a.Number, a.Name, a.Type, a.Subtype, a.Owner, a.Department, a.Location,
					joinStored(a.IPs), joinStored(a.Hostnames), a.OS, a.VendorModel, a.BusinessSystem, a.Status,
					joinStored(a.Tags), a.Notes, a.C, a.I, a.A, a.Value, a.searchTerms(),
					store.Micros(a.CreatedAt), store.Micros(a.UpdatedAt))
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("seed assets %d-%d: %w", start+1, start+len(batch), err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, 'asset', $2)
			ON CONFLICT (org_id, name) DO UPDATE SET value = excluded.value`, orgID, len(assets))
		if err != nil {
			return fmt.Errorf("seed assets: counter: %w", err)
		}
		return nil
	})
}
