-- Incident core (issue 3): the GB/T 20986-2023 classification tree, the
-- grading thresholds of the 国家网络安全事件报告管理办法's annex, and
-- incidents with their affected assets.

-- The classification tree. org_id 0 is the tree shipped with Bulwark; edits
-- apply installation-wide (platform admin only), because the tree names the
-- standard's classes, which are the same for every organisation. The codes
-- are Bulwark's own stable codes; annex_b_code is left empty for an admin to
-- fill in from Annex B of the standard (not verified here).
CREATE TABLE incident_categories (
    id {{ID}},
    org_id BIGINT NOT NULL DEFAULT 0,
    code TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    annex_b_code TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (org_id, code)
);

INSERT INTO incident_categories (org_id, code, parent_code, name_zh, name_en, sort_order) VALUES
(0, 'MP', '', '恶意程序事件', 'Malicious program event', 100),
(0, 'MP-01', 'MP', '计算机病毒事件', 'Computer virus event', 101),
(0, 'MP-02', 'MP', '网络蠕虫事件', 'Network worm event', 102),
(0, 'MP-03', 'MP', '特洛伊木马事件', 'Trojan horse event', 103),
(0, 'MP-04', 'MP', '僵尸网络事件', 'Botnet event', 104),
(0, 'MP-05', 'MP', '恶意代码内嵌网页事件', 'Web page with embedded malicious code event', 105),
(0, 'MP-06', 'MP', '恶意代码宿主站点事件', 'Malicious code hosting site event', 106),
(0, 'MP-07', 'MP', '勒索软件事件', 'Ransomware event', 107),
(0, 'MP-08', 'MP', '挖矿病毒事件', 'Cryptomining malware event', 108),
(0, 'MP-09', 'MP', '混合攻击程序事件', 'Hybrid attack program event', 109),
(0, 'MP-10', 'MP', '其他恶意程序事件', 'Other malicious program event', 110),
(0, 'NA', '', '网络攻击事件', 'Network attack event', 200),
(0, 'NA-01', 'NA', '网络扫描探测事件', 'Network scanning and probing event', 201),
(0, 'NA-02', 'NA', '网络钓鱼事件', 'Phishing event', 202),
(0, 'NA-03', 'NA', '漏洞利用事件', 'Vulnerability exploitation event', 203),
(0, 'NA-04', 'NA', '后门利用事件', 'Backdoor exploitation event', 204),
(0, 'NA-05', 'NA', '后门植入事件', 'Backdoor implantation event', 205),
(0, 'NA-06', 'NA', '凭据攻击事件', 'Credential attack event', 206),
(0, 'NA-07', 'NA', '信号干扰事件', 'Signal interference event', 207),
(0, 'NA-08', 'NA', '拒绝服务事件', 'Denial of service event', 208),
(0, 'NA-09', 'NA', '网页篡改事件', 'Web page defacement event', 209),
(0, 'NA-10', 'NA', '暗链植入事件', 'Hidden link implantation event', 210),
(0, 'NA-11', 'NA', '域名劫持事件', 'Domain name hijacking event', 211),
(0, 'NA-12', 'NA', '域名转嫁事件', 'Domain name transfer event', 212),
(0, 'NA-13', 'NA', 'DNS污染事件', 'DNS pollution event', 213),
(0, 'NA-14', 'NA', 'WLAN劫持事件', 'WLAN hijacking event', 214),
(0, 'NA-15', 'NA', '流量劫持事件', 'Traffic hijacking event', 215),
(0, 'NA-16', 'NA', 'BGP劫持攻击事件', 'BGP hijacking attack event', 216),
(0, 'NA-17', 'NA', '广播欺诈事件', 'Broadcast spoofing event', 217),
(0, 'NA-18', 'NA', '失陷主机事件', 'Compromised host event', 218),
(0, 'NA-19', 'NA', '供应链攻击事件', 'Supply chain attack event', 219),
(0, 'NA-20', 'NA', 'APT事件', 'APT attack event', 220),
(0, 'NA-21', 'NA', '其他网络攻击事件', 'Other network attack event', 221),
(0, 'DS', '', '数据安全事件', 'Data security event', 300),
(0, 'DS-01', 'DS', '数据篡改事件', 'Data tampering event', 301),
(0, 'DS-02', 'DS', '数据假冒事件', 'Data counterfeiting event', 302),
(0, 'DS-03', 'DS', '数据泄露事件', 'Data leakage event', 303),
(0, 'DS-04', 'DS', '社会工程事件', 'Social engineering event', 304),
(0, 'DS-05', 'DS', '数据窃取事件', 'Data theft event', 305),
(0, 'DS-06', 'DS', '数据拦截事件', 'Data interception event', 306),
(0, 'DS-07', 'DS', '位置检测事件', 'Location detection event', 307),
(0, 'DS-08', 'DS', '数据投毒事件', 'Data poisoning event', 308),
(0, 'DS-09', 'DS', '数据滥用事件', 'Data abuse event', 309),
(0, 'DS-10', 'DS', '隐私侵犯事件', 'Privacy infringement event', 310),
(0, 'DS-11', 'DS', '数据损失事件', 'Data loss event', 311),
(0, 'DS-12', 'DS', '其他数据安全事件', 'Other data security event', 312),
(0, 'IC', '', '信息内容安全事件', 'Information content security event', 400),
(0, 'IC-01', 'IC', '反动宣传事件', 'Reactionary propaganda event', 401),
(0, 'IC-02', 'IC', '暴恐宣扬事件', 'Promotion of violence and terrorism event', 402),
(0, 'IC-03', 'IC', '色情传播事件', 'Pornography dissemination event', 403),
(0, 'IC-04', 'IC', '虚假信息传播事件', 'False information dissemination event', 404),
(0, 'IC-05', 'IC', '权益侵害事件', 'Infringement of rights and interests event', 405),
(0, 'IC-06', 'IC', '信息滥发事件', 'Information spamming event', 406),
(0, 'IC-07', 'IC', '网络欺诈事件', 'Online fraud event', 407),
(0, 'IC-08', 'IC', '其他信息内容安全事件', 'Other information content security event', 408),
(0, 'DE', '', '设备设施故障事件', 'Equipment and facility failure event', 500),
(0, 'DE-01', 'DE', '技术故障事件', 'Technical failure event', 501),
(0, 'DE-02', 'DE', '配套设施故障事件', 'Supporting facility failure event', 502),
(0, 'DE-03', 'DE', '物理损害事件', 'Physical damage event', 503),
(0, 'DE-04', 'DE', '辐射干扰事件', 'Radiation interference event', 504),
(0, 'DE-05', 'DE', '其他设备设施故障事件', 'Other equipment and facility failure event', 505),
(0, 'RO', '', '违规操作事件', 'Rule-violating operation event', 600),
(0, 'RO-01', 'RO', '权限滥用事件', 'Privilege abuse event', 601),
(0, 'RO-02', 'RO', '权限伪造事件', 'Privilege forgery event', 602),
(0, 'RO-03', 'RO', '行为抵赖事件', 'Repudiation event', 603),
(0, 'RO-04', 'RO', '故意违规操作事件', 'Deliberate violating operation event', 604),
(0, 'RO-05', 'RO', '误操作事件', 'Misoperation event', 605),
(0, 'RO-06', 'RO', '人员可用性破坏事件', 'Personnel availability disruption event', 606),
(0, 'RO-07', 'RO', '资源未授权使用事件', 'Unauthorised use of resources event', 607),
(0, 'RO-08', 'RO', '其他违规操作事件', 'Other rule-violating operation event', 608),
(0, 'SHE', '', '安全隐患事件', 'Security hazard event', 700),
(0, 'SHE-01', 'SHE', '网络漏洞事件', 'Network vulnerability event', 701),
(0, 'SHE-02', 'SHE', '网络配置合规缺陷事件', 'Network configuration compliance defect event', 702),
(0, 'SHE-03', 'SHE', '其他安全隐患事件', 'Other security hazard event', 703),
(0, 'AB', '', '异常行为事件', 'Abnormal behaviour event', 800),
(0, 'AB-01', 'AB', '访问异常事件', 'Access anomaly event', 801),
(0, 'AB-02', 'AB', '流量异常事件', 'Traffic anomaly event', 802),
(0, 'AB-03', 'AB', '其他异常行为事件', 'Other abnormal behaviour event', 803),
(0, 'FOC', '', '不可抗力事件', 'Force majeure event', 900),
(0, 'FOC-01', 'FOC', '自然灾害事件', 'Natural disaster event', 901),
(0, 'FOC-02', 'FOC', '事故灾难事件', 'Accident disaster event', 902),
(0, 'FOC-03', 'FOC', '公共卫生事件', 'Public health event', 903),
(0, 'FOC-04', 'FOC', '社会安全事件', 'Social security event', 904),
(0, 'FOC-05', 'FOC', '其他不可抗力事件', 'Other force majeure event', 905),
(0, 'OTH', '', '其他事件', 'Other event', 1000);

-- Annex grading thresholds: any one criterion reaching a grade's threshold
-- suffices ("以上" includes the number). Durations are in minutes so every
-- figure is an integer. verified is TRUE only where every threshold of the
-- row was read in the published text; the rest are draft figures to confirm.
CREATE TABLE incident_grade_criteria (
    id {{ID}},
    org_id BIGINT NOT NULL DEFAULT 0,
    criterion_key TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    threshold_1 BIGINT NOT NULL,
    threshold_2 BIGINT NOT NULL,
    threshold_3 BIGINT NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, criterion_key)
);

INSERT INTO incident_grade_criteria (org_id, criterion_key, name_zh, name_en, unit, threshold_1, threshold_2, threshold_3, verified, sort_order) VALUES
(0, 'portal_down', '政府门户网站或重点新闻网站无法访问时长', 'Government portal or key news site unavailable', 'minutes', 1440, 360, 120, FALSE, 10),
(0, 'cii_down', '关键信息基础设施整体中断运行时长', 'Critical information infrastructure wholly down', 'minutes', 360, 120, 30, FALSE, 20),
(0, 'cii_main_down', '关键信息基础设施主要功能中断运行时长', 'Critical information infrastructure main functions down', 'minutes', 1440, 360, 120, FALSE, 30),
(0, 'people_affected', '影响生产生活的人数', 'People whose daily life or work is affected', 'people', 10000000, 1000000, 100000, FALSE, 40),
(0, 'pi_leaked', '泄露个人信息涉及人数', 'People whose personal information leaked', 'people', 100000000, 10000000, 1000000, TRUE, 50),
(0, 'homepage_defaced', '首页被篡改或出现违法信息时长', 'Home page defaced or showing illegal content', 'minutes', 360, 120, 30, FALSE, 60),
(0, 'page_defaced', '其他页面被篡改或出现违法信息时长', 'Other page defaced or showing illegal content', 'minutes', 1440, 720, 120, FALSE, 70),
(0, 'illegal_reposts', '违法有害信息转发量', 'Reposts of illegal content', 'count', 100000, 10000, 1000, FALSE, 80),
(0, 'illegal_views', '违法有害信息浏览量', 'Views of illegal content', 'count', 1000000, 100000, 10000, FALSE, 90),
(0, 'economic_loss', '直接经济损失', 'Direct economic loss', 'yuan', 100000000, 20000000, 5000000, FALSE, 100);

-- Incidents. grade is 1 (I, 特别重大) to 4 (IV, 一般), NULL until graded.
-- report_due_at is NULL when no first report is due (grade IV or ungraded).
-- The supplementary and summary report columns are filled by a later step.
CREATE TABLE incidents (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    discovered_at BIGINT NOT NULL,
    reported_by BIGINT NOT NULL DEFAULT 0,
    reporter_name TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    alert_ref TEXT NOT NULL DEFAULT '',
    business_systems TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    grade INTEGER,
    grade_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    grade_rule TEXT NOT NULL DEFAULT '',
    grade_reason TEXT NOT NULL DEFAULT '',
    grade_factors TEXT NOT NULL DEFAULT '',
    grade_figures TEXT NOT NULL DEFAULT '',
    graded_by BIGINT NOT NULL DEFAULT 0,
    graded_at BIGINT,
    phase TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    report_due_at BIGINT,
    reported_at BIGINT,
    handling_ended_at BIGINT,
    summary_due_at BIGINT,
    summary_reported_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX incidents_org_discovered ON incidents (org_id, discovered_at);
CREATE INDEX incidents_org_phase ON incidents (org_id, phase, discovered_at);
CREATE INDEX incidents_org_grade ON incidents (org_id, grade, discovered_at);
CREATE INDEX incidents_org_category ON incidents (org_id, category, discovered_at);

CREATE TABLE incident_assets (
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    asset_id BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (incident_id, asset_id)
);
CREATE INDEX incident_assets_asset ON incident_assets (org_id, asset_id);
