// Splits a FASTA (or raw sequence) file into the stream of A/C/G/T bases and
// a "layout" side stream that records everything else, so that the file can
// be rebuilt byte for byte: header lines, line lengths, CR before LF,
// lower-case runs, and every other byte inside sequence lines (N runs, IUPAC
// codes, gaps, digits) as exceptions. Any byte string is accepted; files
// that are mostly not sequence just make a large layout.
//
// Layout stream (all integers are LEB128 varints):
//   line_count                 lines = pieces between '\n' (count('\n') + 1)
//   (kind, repeat)*            runs covering line_count lines; kind 0 is a
//                              header line, kind n > 0 a sequence line of
//                              n - 1 residues
//   cr_run_count, run*         alternating runs of lines without / with a
//                              '\r' before the line end (first run: without)
//   header_bytes, bytes        header lines (starting '>' or ';'), each
//                              followed by '\n'
//   exception_count,
//   (gap, byte, length)*       runs of non-ACGT residues: `gap` residues
//                              after the previous run, `length` copies of
//                              `byte`
//   case_run_count, run*       alternating runs of upper / lower case bases
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "neuroquantum/result.h"

namespace neuroquantum::dna {

struct ParsedSequence {
  std::string bases;   // one code 0..3 (A C G T) per byte
  std::string layout;  // the side stream described above
  uint64_t headers = 0;
  uint64_t exceptions = 0;  // non-ACGT residues
};

ParsedSequence ParseSequenceFile(std::string_view input);

// The layout of a single line of `bases` upper-case A/C/G/T and nothing
// else; containers omit a layout equal to it.
std::string PlainSequenceLayout(uint64_t bases);

// Rebuilds the original bytes from `layout` and `bases` (codes 0..3).
// Corruption when the layout is malformed or does not match the bases.
Result<std::string> RebuildSequenceFile(std::string_view layout, std::string_view bases,
                                        uint64_t expected_size);

}  // namespace neuroquantum::dna
