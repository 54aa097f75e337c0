package audit

import (
	"fmt"
	"time"
)

// A realistic trail for tests and benchmarks: mostly logins and asset
// changes, the asset ones carrying the asset as JSON before and after, as
// the asset service writes them.

// trailAsset has the JSON shape of asset.Asset (this package cannot import
// asset, which imports it).
type trailAsset struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	Number         string    `json:"number"`
	Name           string    `json:"name"`
	Type           string    `json:"type"`
	Subtype        string    `json:"subtype"`
	Owner          string    `json:"owner"`
	Department     string    `json:"department"`
	Location       string    `json:"location"`
	IPs            []string  `json:"ips"`
	Hostnames      []string  `json:"hostnames"`
	OS             string    `json:"os"`
	VendorModel    string    `json:"vendor_model"`
	BusinessSystem string    `json:"business_system"`
	Status         string    `json:"status"`
	Tags           []string  `json:"tags"`
	Notes          string    `json:"notes"`
	C              int       `json:"confidentiality"`
	I              int       `json:"integrity"`
	A              int       `json:"availability"`
	Value          int       `json:"value"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

var (
	trailNames = []string{"核心交换机", "数据库服务器", "Web服务器", "邮件服务器", "防火墙", "VPN网关", "入侵检测系统", "办公终端", "存储阵列", "客户数据"}
	trailDepts = []string{"信息技术部", "网络安全部", "财务部", "人力资源部", "运维部", "数据中心"}
	trailUsers = []string{"admin", "zhang.wei", "li.na", "wang.fang", "liu.yang", "chen.jie", "auditor", "svc-import"}
)

// trailRecord returns the i-th record of the trail (0-based), the same one
// for the same i on every run, and the time it is appended at.
func trailRecord(i int) timedRecord {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := base.Add(time.Duration(i) * 7 * time.Second).Add(time.Duration(i%997) * time.Microsecond)
	user := trailUsers[i%len(trailUsers)]
	rec := Record{OrgID: int64(1 + i%3), ActorID: int64(1 + i%len(trailUsers)), Actor: user,
		IP: fmt.Sprintf("10.%d.%d.%d", i%7, (i/7)%256, 1+i%254)}
	assetID := int64(1 + (i*7919)%100000)
	asset := func(rev int) trailAsset {
		return trailAsset{
			ID: assetID, OrgID: rec.OrgID, Number: fmt.Sprintf("ZC-%06d", assetID),
			Name: fmt.Sprintf("%s-%03d", trailNames[int(assetID)%len(trailNames)], rev%1000), Type: "server",
			Subtype: "virtual", Owner: "张伟", Department: trailDepts[(int(assetID)+rev)%len(trailDepts)],
			Location: "北京A座3层机房", IPs: []string{fmt.Sprintf("10.20.%d.%d", assetID%256, 1+rev%254)},
			Hostnames: []string{fmt.Sprintf("srv-%05d.corp.example.cn", assetID)}, OS: "CentOS 7.9",
			VendorModel: "浪潮 NF5280M6", BusinessSystem: "客户管理系统", Status: "in_use", Tags: []string{"生产", "等保三级"},
			Notes: "纳入年度巡检 <weekly> & reviewed", C: 1 + rev%5, I: 1 + (rev/5)%5, A: 3, Value: 3,
			CreatedAt: base, UpdatedAt: at.Truncate(time.Microsecond),
		}
	}
	switch i % 10 {
	case 0, 1, 2:
		rec.Action, rec.ObjectType, rec.ObjectID = "login.success", "user", fmt.Sprint(rec.ActorID)
	case 3:
		rec.Action, rec.ObjectType = "login.failure", "user"
		rec.After = map[string]string{"username": user, "reason": "bad_password"}
	case 4, 5, 6, 7:
		rec.Action, rec.ObjectType, rec.ObjectID = "asset.update", "asset", fmt.Sprint(assetID)
		rec.Before, rec.After = asset(i-1), asset(i)
	case 8:
		rec.Action, rec.ObjectType, rec.ObjectID = "asset.create", "asset", fmt.Sprint(assetID)
		rec.After = asset(i)
	default:
		rec.Action, rec.ObjectType, rec.ObjectID = "asset.delete", "asset", fmt.Sprint(assetID)
		rec.Before = asset(i)
	}
	return timedRecord{at: at, rec: rec}
}

// trail returns records from to to-1.
func trail(from, to int) []timedRecord {
	out := make([]timedRecord, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, trailRecord(i))
	}
	return out
}
