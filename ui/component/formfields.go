package component

import "charm.land/huh/v2"

// InputField, TextField, NoteField, ConfirmField, SelectField and
// MultiSelectField are huh's fields with the forms' theme (formTheme) set
// as they are made. A field without a theme of its own builds huh's
// default theme (ThemeCharm, a few hundred styles) each time it is asked
// for its styles, and fields are asked before a form's theme reaches
// them: Options measures every option, NewGroup draws every field for the
// group's height. The form's WithTheme then finds the same theme already
// set, so what is drawn does not change.
func InputField() *huh.Input {
	f := huh.NewInput()
	f.WithTheme(formTheme)
	return f
}

func TextField() *huh.Text {
	f := huh.NewText()
	f.WithTheme(formTheme)
	return f
}

func NoteField() *huh.Note {
	f := huh.NewNote()
	f.WithTheme(formTheme)
	return f
}

func ConfirmField() *huh.Confirm {
	f := huh.NewConfirm()
	f.WithTheme(formTheme)
	return f
}

func SelectField[T comparable]() *huh.Select[T] {
	f := huh.NewSelect[T]()
	f.WithTheme(formTheme)
	return f
}

func MultiSelectField[T comparable]() *huh.MultiSelect[T] {
	f := huh.NewMultiSelect[T]()
	f.WithTheme(formTheme)
	return f
}
