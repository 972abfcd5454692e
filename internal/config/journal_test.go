package config

import "testing"

func obj(kind, name, v string) *Object {
	return &Object{Kind: kind, Name: name, Type: "t", Values: map[string][]string{"p": {v}}}
}

func TestJournal(t *testing.T) {
	s := NewState()
	s.Put(obj("k", "keep", "1"))
	s.Put(obj("k", "gone", "1"))
	s.Record()
	mark := s.Mark()
	s.Put(obj("k", "new", "1"))
	s.Put(obj("k", "keep", "2"))
	s.Put(obj("k", "keep", "3"))
	s.Delete("k", "gone")
	s.Put(obj("k", "same", "1"))
	s.Delete("k", "same") // created and deleted: no change

	chs := s.Since(mark)
	if len(chs) != 3 {
		t.Fatalf("Since = %d changes, want 3: %+v", len(chs), chs)
	}
	if chs[0].Old != nil || chs[0].New.Name != "new" {
		t.Errorf("first change %+v, want the creation of new", chs[0])
	}
	if chs[1].Old.Values["p"][0] != "1" || chs[1].New.Values["p"][0] != "3" {
		t.Errorf("second change %+v, want keep from 1 to 3", chs[1])
	}
	if chs[2].Old.Name != "gone" || chs[2].New != nil {
		t.Errorf("third change %+v, want the deletion of gone", chs[2])
	}

	s.Rollback(mark)
	if s.Get("k", "new") != nil || s.Get("k", "gone") == nil || s.Get("k", "keep").Values["p"][0] != "1" {
		t.Errorf("rollback did not restore the state")
	}
	if len(s.Since(mark)) != 0 {
		t.Errorf("changes remain after rollback")
	}
	if s.Clone().journal != nil {
		t.Errorf("a clone inherits the journal")
	}
}

func TestSameObjectEmptySingleton(t *testing.T) {
	empty := &Object{Kind: "g", Values: map[string][]string{}}
	if !sameObject(nil, empty) || !sameObject(empty, nil) || sameObject(nil, obj("k", "a", "1")) {
		t.Errorf("an empty singleton must equal none, and nothing else must")
	}
}
