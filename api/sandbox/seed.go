package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// seed builds the organisation of the given size. Everything comes from
// the sandbox's seeded streams and is laid out relative to now, so the
// same options give the same organisation.
func (s *Server) seed(slug string, size Size, now time.Time) *organization {
	o := newOrganization(slug)
	ago := func(d time.Duration) *model.Timestamp { return model.NewTimestamp(now.Add(-d).Truncate(time.Second)) }
	const day = 24 * time.Hour
	user := func(name, email string, joined time.Duration) *model.User {
		id := s.newID()
		u := &model.User{ID: id, GraphQLID: graphQLID("User", id), Name: name, Email: email,
			AvatarURL: "https://www.gravatar.com/avatar/" + strings.ReplaceAll(id, "-", "")[:32], CreatedAt: ago(joined)}
		o.users = append(o.users, u)
		return u
	}
	o.operator = user("Sam Kim", "sam@example.com", 900*day)
	user("Priya Natarajan", "priya@example.com", 700*day)
	user("Alex Rivera", "alex@example.com", 500*day)
	user("Jordan Lee", "jordan@example.com", 300*day)

	switch size {
	case SizeDemo:
		s.seedDemo(o, now)
	case SizeLarge:
		s.seedLarge(o, now)
	}
	return o
}

func (s *Server) someone(o *organization) *model.User { return o.users[s.rng.IntN(len(o.users))] }

func (s *Server) addCluster(o *organization, name, desc, emoji, color string, createdAt *model.Timestamp) *clusterRecord {
	id := s.newID()
	c := &clusterRecord{cluster: model.Cluster{ID: id, GraphQLID: graphQLID("Cluster", id), Name: name,
		Description: optional(desc), Emoji: optional(emoji), Color: optional(color),
		CreatedAt: createdAt, CreatedBy: s.someone(o)}}
	o.clusters = append(o.clusters, c)
	o.clusterByID[id] = c
	return c
}

func (s *Server) addQueue(o *organization, c *clusterRecord, key, desc, shape string, createdAt *model.Timestamp) *model.Queue {
	id := s.newID()
	q := &model.Queue{ID: id, GraphQLID: graphQLID("ClusterQueue", id), Key: key, Description: optional(desc),
		RetryAgentAffinity: model.RetryPreferWarmest, CreatedAt: createdAt, CreatedBy: s.someone(o)}
	if shape != "" {
		q.Hosted = true
		q.HostedAgents = hostedAgentsOf(shape)
	}
	c.queues = append(c.queues, q)
	// The demo's clusters have a default queue, set as an update's
	// default_queue_id would set it: their first queue.
	if c.cluster.DefaultQueueID == nil {
		c.cluster.DefaultQueueID = model.Ptr(id)
	}
	return q
}

func (s *Server) addToken(o *organization, c *clusterRecord, desc, ips string, expires, createdAt *model.Timestamp) {
	id := s.newID()
	c.tokens = append(c.tokens, &model.Token{ID: id, GraphQLID: graphQLID("ClusterToken", id), Description: desc,
		AllowedIPAddresses: optional(ips), ExpiresAt: expires, CreatedAt: createdAt, CreatedBy: s.someone(o)})
}

type demoPipeline struct {
	name, repo, cluster, desc string
	archived                  bool
}

func (s *Server) seedDemo(o *organization, now time.Time) {
	const day = 24 * time.Hour
	at := func(d time.Duration) *model.Timestamp { return model.NewTimestamp(now.Add(-d).Truncate(time.Second)) }
	in := func(d time.Duration) *model.Timestamp { return model.NewTimestamp(now.Add(d).Truncate(time.Second)) }

	prod := s.addCluster(o, "Production", "Deploys and release builds", ":rocket:", "#D64545", at(400*day))
	s.addQueue(o, prod, "default", "General purpose Linux agents on the Elastic CI Stack", "", at(400*day))
	s.addQueue(o, prod, "deploy", "Agents with production deploy credentials", "", at(390*day))
	s.addQueue(o, prod, "linux-large", "Hosted Linux for heavy builds", "LINUX_AMD64_8X32", at(120*day))
	s.addToken(o, prod, "Elastic CI Stack (us-east-1)", "10.20.0.0/16", nil, at(400*day))
	s.addToken(o, prod, "Legacy EC2 fleet", "10.30.0.0/16 10.31.0.0/16", at(10*day), at(380*day))

	oss := s.addCluster(o, "Open Source", "A place for safely running our open source builds", ":technologist:", "#FFE0F1", at(350*day))
	s.addQueue(o, oss, "default", "Hosted Linux for pull requests from forks", "LINUX_AMD64_2X4", at(350*day))
	s.addQueue(o, oss, "arm64", "Hosted ARM64 builds", "LINUX_ARM64_4X16", at(200*day))
	s.addToken(o, oss, "Community runners", "", in(180*day), at(200*day))

	mobile := s.addCluster(o, "Mobile", "iOS and Android apps", ":iphone:", "#4F7CE8", at(300*day))
	s.addQueue(o, mobile, "default", "Android builds", "", at(300*day))
	macos := s.addQueue(o, mobile, "macos", "Hosted macOS for iOS builds and UI tests", "MACOS_ARM64_M4_6X28", at(250*day))
	s.addQueue(o, mobile, "macos-large", "Hosted macOS for release archives", "MACOS_ARM64_M4_12X56", at(100*day))
	s.addToken(o, mobile, "Mac mini fleet", "203.0.113.0/24", in(5*day), at(360*day))
	macos.DispatchPaused = true
	macos.DispatchPausedBy = o.users[1]
	macos.DispatchPausedAt = at(2*time.Hour + 14*time.Minute)
	macos.DispatchPausedNote = model.Ptr("Xcode 16.3 image rollout broke code signing — INC-4821")

	data := s.addCluster(o, "Data Platform", "Batch jobs, models and the warehouse", ":bar_chart:", "#2E9E6B", at(200*day))
	s.addQueue(o, data, "default", "", "", at(200*day))
	s.addQueue(o, data, "gpu", "Self-hosted GPU workers", "", at(150*day))
	s.addToken(o, data, "GPU workers", "198.51.100.0/24", in(90*day), at(150*day))

	sandbox := s.addCluster(o, "Sandbox", "Experiments: anything goes", ":test_tube:", "#E0B000", at(30*day))
	s.addQueue(o, sandbox, "default", "Laptops and spare machines", "", at(30*day))
	s.addToken(o, sandbox, "Local laptops", "", nil, at(30*day))

	byName := map[string]*clusterRecord{"prod": prod, "oss": oss, "mobile": mobile, "data": data, "sandbox": sandbox}
	pipelines := []demoPipeline{
		{"API Gateway", "git@github.com:acme-inc/api-gateway.git", "prod", ":door: Edge routing and auth", false},
		{"Billing Service", "git@github.com:acme-inc/billing.git", "prod", "Invoices, payments and dunning", false},
		{"Checkout", "git@github.com:acme-inc/checkout.git", "prod", "", false},
		{"Deploy Production", "git@github.com:acme-inc/deploy.git", "prod", ":rocket: Ships main to production", false},
		{"Deploy Staging", "git@github.com:acme-inc/deploy.git", "prod", "", false},
		{"Frontend", "git@github.com:acme-inc/frontend.git", "prod", "The web app", false},
		{"Identity", "git@github.acme.internal:platform/identity.git", "prod", "", false},
		{"Inventory", "ssh://git@bitbucket.acme.internal:7999/ops/inventory.git", "prod", "", false},
		{"Notifications", "git@github.com:acme-inc/notifications.git", "prod", "Email, SMS and push", false},
		{"Search Indexer", "git@github.com:acme-inc/search.git", "prod", "", false},
		{"Terraform Infra", "git@github.com:acme-inc/infra.git", "prod", ":terraform: Plans and applies", false},
		{"Monolith", "git@github.com:acme-inc/monolith.git", "prod", "Retired in favour of the services", true},
		{"acme-cli", "https://github.com/acme-inc/acme-cli.git", "oss", "The acme command line", false},
		{"acme-go-sdk", "https://github.com/acme-inc/acme-go.git", "oss", "", false},
		{"acme-js-sdk", "https://github.com/acme-inc/acme-js.git", "oss", "", false},
		{"acme-python-sdk", "https://github.com/acme-inc/acme-python.git", "oss", "", false},
		{"docs-site", "https://github.com/acme-inc/docs.git", "oss", "Public documentation", false},
		{"terraform-provider-acme", "https://github.com/acme-inc/terraform-provider-acme.git", "oss", "", false},
		{"old-ruby-gem", "https://github.com/acme-inc/acme-ruby.git", "oss", "", true},
		{"Android App", "git@github.com:acme-inc/android.git", "mobile", ":android: The Android app", false},
		{"Android Release", "git@github.com:acme-inc/android.git", "mobile", "", false},
		{"iOS App", "git@github.com:acme-inc/ios.git", "mobile", ":apple: The iOS app", false},
		{"iOS Release", "git@github.com:acme-inc/ios.git", "mobile", "TestFlight and App Store", false},
		{"iOS UI Tests", "git@github.com:acme-inc/ios.git", "mobile", "", false},
		{"Mobile Design System", "git@bitbucket.org:acme-inc/design-system.git", "mobile", "", false},
		{"React Native Spike", "git@github.com:acme-inc/rn-spike.git", "mobile", "", true},
		{"Airflow DAGs", "git@github.com:acme-inc/airflow.git", "data", "", false},
		{"dbt Models", "git@github.com:acme-inc/dbt.git", "data", "Warehouse transformations", false},
		{"Feature Store", "git@gitlab.com:acme-inc/feature-store.git", "data", "", false},
		{"Model Training", "git@github.com:acme-inc/training.git", "data", ":brain: Nightly retraining", false},
		{"Recommendations", "git@github.com:acme-inc/recs.git", "data", "", false},
		{"Spark Jobs", "git@gitlab.com:acme-inc/spark-jobs.git", "data", "", false},
		{"Warehouse Loader", "git@github.com:acme-inc/loader.git", "data", "", false},
		{"Hadoop Migration", "git@github.com:acme-inc/hadoop.git", "data", "", true},
		{"Bazel Experiments", "git@github.com:acme-inc/bazel-exp.git", "sandbox", "", false},
		{"Flaky Test Hunter", "git@github.com:acme-inc/flaky.git", "sandbox", "", false},
		{"Hackathon 2026", "git@github.com:acme-inc/hackathon.git", "sandbox", ":tada:", false},
		{"Nix Builds", "ssh://git@git.acme.dev:2222/platform/nix.git", "sandbox", "", false},
		{"Load Tests", "git@github.com:acme-inc/load-tests.git", "sandbox", "", false},
		{"Wasm Playground", "git@github.com:acme-inc/wasm.git", "sandbox", "", false},
	}
	for i, dp := range pipelines {
		p := s.newSeedPipeline(o, dp.name, dp.repo, byName[dp.cluster], dp.desc, at(time.Duration(300-i*7)*day))
		if dp.archived {
			p.ArchivedAt = at(time.Duration(20+i) * day)
		}
		o.addPipeline(p)
	}
}

// newSeedPipeline makes a pipeline with the default upload step and a
// plausible number of builds and jobs under way.
func (s *Server) newSeedPipeline(o *organization, name, repo string, c *clusterRecord, desc string, createdAt *model.Timestamp) *model.Pipeline {
	id := s.newID()
	slug, _ := model.DeriveSlug(name)
	p := &model.Pipeline{
		ID: id, GraphQLID: graphQLID("Pipeline", id), Name: name, Slug: slug, Description: optional(desc),
		Repository: repo, DefaultBranch: "main", AllowRebuilds: model.Ptr(true), Provider: providerFor(repo),
		CreatedBy: s.someone(o), CreatedAt: createdAt, Env: map[string]string{}, Visibility: model.VisibilityPrivate,
		Configuration: model.DefaultConfiguration,
		Steps: []model.Step{{Type: model.StepScript, Name: nil, Command: model.Ptr("buildkite-agent pipeline upload"),
			Env: map[string]string{}, AgentQueryRules: []string{}}},
	}
	if c != nil {
		p.ClusterID = model.Ptr(c.cluster.ID)
	}
	if deploysOrReleases(name) {
		p.Configuration = deployConfiguration
	}
	if s.rng.IntN(3) == 0 {
		p.RunningBuildsCount = 1 + s.rng.IntN(3)
		p.RunningJobsCount = p.RunningBuildsCount * (1 + s.rng.IntN(6))
	}
	if s.rng.IntN(4) == 0 {
		p.ScheduledBuildsCount = 1 + s.rng.IntN(2)
		p.ScheduledJobsCount = p.ScheduledBuildsCount * (1 + s.rng.IntN(4))
	}
	if s.rng.IntN(5) == 0 {
		p.WaitingJobsCount = 1 + s.rng.IntN(8)
	}
	if strings.Contains(strings.ToLower(name), "oss") || strings.HasPrefix(repo, "https://github.com") {
		p.Visibility = model.VisibilityPublic
	}
	return p
}

var (
	largeTeams    = []string{"payments", "identity", "search", "mobile", "data", "platform", "growth", "security", "infra", "ml", "web", "api", "billing", "edge", "ads", "maps", "media", "chat", "docs", "ops", "risk", "core", "sre", "qa", "labs"}
	largeEmoji    = []string{":rocket:", ":package:", ":lock:", ":iphone:", ":bar_chart:", ":gear:", ":seedling:", ":shield:", ":building_construction:", ":brain:"}
	largeColors   = []string{"#D64545", "#4F7CE8", "#2E9E6B", "#E0B000", "#8E5CD9", "#FF8A3D", "#1FA2B8", "#C2185B"}
	largeNouns    = []string{"api", "worker", "web", "cron", "ingest", "export", "gateway", "sync", "indexer", "scheduler", "reporter", "proxy", "cache", "auth", "ledger", "notifier", "renderer", "uploader", "crawler", "router"}
	largeAdjs     = []string{"core", "legacy", "fast", "public", "internal", "batch", "stream", "edge", "shadow", "blue", "green", "canary", "nightly", "regional", "global"}
	largeQueueKey = []string{"default", "linux", "arm64", "docker", "deploy", "gpu", "windows", "macos", "large", "small", "spot", "ci", "release", "perf", "e2e", "lint", "build", "test", "integration", "security"}
)

// seedLarge builds 25 clusters of 40 queues and 10 tokens each (1,000
// queues, 250 tokens) and 10,000 pipelines (Options.LargePipelines)
// spread over them.
func (s *Server) seedLarge(o *organization, now time.Time) {
	const day = 24 * time.Hour
	at := func(d time.Duration) *model.Timestamp { return model.NewTimestamp(now.Add(-d).Truncate(time.Second)) }
	shapes := []string{"", "", "", "LINUX_AMD64_2X4", "LINUX_AMD64_8X32", "LINUX_ARM64_4X16", "MACOS_ARM64_M4_6X28"}
	for ci, team := range largeTeams {
		c := s.addCluster(o, fmt.Sprintf("%s-%02d", team, ci+1), "Cluster of the "+team+" team",
			largeEmoji[ci%len(largeEmoji)], largeColors[ci%len(largeColors)], at(time.Duration(900-ci)*day))
		for qi := 0; qi < 40; qi++ {
			key := largeQueueKey[qi%len(largeQueueKey)]
			if qi >= len(largeQueueKey) {
				key = fmt.Sprintf("%s-%d", key, qi/len(largeQueueKey)+1)
			}
			q := s.addQueue(o, c, key, "Queue "+key+" of "+team, shapes[s.rng.IntN(len(shapes))], at(time.Duration(800-qi)*day))
			if s.rng.IntN(25) == 0 {
				q.DispatchPaused = true
				q.DispatchPausedBy = s.someone(o)
				q.DispatchPausedAt = at(time.Duration(1+s.rng.IntN(72)) * time.Hour)
				q.DispatchPausedNote = model.Ptr("Paused for maintenance of " + key)
			}
		}
		for ti := 0; ti < 10; ti++ {
			var expires *model.Timestamp
			if ti%3 == 1 {
				expires = model.NewTimestamp(now.Add(time.Duration(s.rng.IntN(400)-30) * day).Truncate(time.Second))
			}
			s.addToken(o, c, fmt.Sprintf("%s agents %d", team, ti+1), fmt.Sprintf("10.%d.%d.0/24", ci, ti), expires, at(time.Duration(700-ti)*day))
		}
	}
	pipelines := 10000
	if s.opts.LargePipelines > 0 {
		pipelines = s.opts.LargePipelines
	}
	seeded := make([]*model.Pipeline, 0, pipelines)
	for i := 0; i < pipelines; i++ {
		team := largeTeams[i%len(largeTeams)]
		name := fmt.Sprintf("%s %s %s %04d", team, largeAdjs[s.rng.IntN(len(largeAdjs))], largeNouns[s.rng.IntN(len(largeNouns))], i)
		repo := fmt.Sprintf("git@github.com:acme-inc/%s-%s.git", team, largeNouns[i%len(largeNouns)])
		p := s.newSeedPipeline(o, name, repo, o.clusters[i%len(o.clusters)], "", at(time.Duration(i%700)*day))
		if i%20 == 0 {
			p.ArchivedAt = at(time.Duration(i%30) * day)
		}
		seeded = append(seeded, p)
	}
	o.addPipelines(seeded)
}

// deployConfiguration is the YAML of a deploy or release pipeline, whose
// builds block before deploying (newBuild): the block step's fields are
// here, where Buildkite keeps them, and not on the job.
const deployConfiguration = `steps:
  - command: "buildkite-agent pipeline upload"
  - block: ":shipit: Release?"
    key: "release"
    fields:
      - text: "Release name"
        key: "release-name"
        hint: "Shown in the changelog"
      - select: "Environment"
        key: "environment"
        default: "staging"
        options:
          - label: "Staging"
            value: "staging"
          - label: "Production"
            value: "production"
  - command: "scripts/deploy.sh"
    label: ":rocket: Deploy"`

// deploysOrReleases reports whether a pipeline of this name blocks before
// a deploy step.
func deploysOrReleases(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "deploy") || strings.Contains(name, "release")
}
