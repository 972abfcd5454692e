package config

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// encodeWhole is the store's encoding as one yaml document, as Encode
// wrote it before it encoded object by object; Encode must write the
// same bytes.
func (r *Registry) encodeWhole(s *State) ([]byte, error) {
	root := mapping()
	root.HeadComment = storeHeader
	addPair(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(formatVersion)})
	for _, k := range r.kinds {
		if k.Singleton() {
			if o := s.Get(k.Name, ""); o != nil && len(o.Values) > 0 {
				addPair(root, k.Name, r.encodeValues(o))
			}
			continue
		}
		objs := s.List(k.Name)
		if len(objs) == 0 {
			continue
		}
		m := mapping()
		for _, o := range objs {
			addPair(m, o.Name, r.encodeValues(o))
		}
		addPair(root, k.Plural, m)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// EncodeWhole is encodeWhole, for the tests of package config_test.
func EncodeWhole(r *Registry, s *State) ([]byte, error) { return r.encodeWhole(s) }

// DecodeYAML is decodeYAML, and DecodeFast decodeFast, for the tests of
// package config_test.
func DecodeYAML(r *Registry, data []byte) (*State, error) { return r.decodeYAML(data) }
func DecodeFast(r *Registry, data []byte) (*State, bool)  { return r.decodeFast(data) }

// ObjectLine is the line o starts at in the store file.
func ObjectLine(o *Object) int { return o.line }
