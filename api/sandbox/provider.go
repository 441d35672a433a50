package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// providerFor works out a pipeline's source provider from its repository
// URL, with the settings Buildkite gives a new pipeline of that provider.
func providerFor(repository string) model.Provider {
	id, path := model.ProviderForRepository(repository)
	return model.Provider{ID: id, Settings: model.DefaultProviderSettings(id, path)}
}

// rawProviderSettings reads the provider_settings object of a request
// body as it was sent, so that a property the provider lacks, a wrong
// type or null can be told apart from one left out. It returns nil when
// the body has none, and a problem when it is not an object.
func rawProviderSettings(body []byte) (map[string]json.RawMessage, *fieldError) {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil, nil
	}
	ps, ok := top["provider_settings"]
	if !ok || strings.TrimSpace(string(ps)) == "null" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(ps, &raw) != nil {
		e := invalidField("provider_settings", "Provider settings must be an object")
		return nil, &e
	}
	return raw, nil
}

// checkProviderSettings turns the spec's rules for a provider into the
// pipelines API's field errors.
func checkProviderSettings(provider string, raw map[string]json.RawMessage) []fieldError {
	var errs []fieldError
	for _, problem := range model.CheckProviderSettings(provider, raw) {
		errs = append(errs, invalidField("provider_settings", "Provider settings: "+problem))
	}
	return errs
}

// overlaySettings returns base with every property of a checked
// provider_settings object applied: a value sets it, null clears it.
func overlaySettings(base model.ProviderSettings, raw map[string]json.RawMessage) model.ProviderSettings {
	for name, value := range raw {
		var v any
		_ = json.Unmarshal(value, &v)
		base.SetSetting(name, v)
	}
	return base
}
