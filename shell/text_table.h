// TextTable: aligned columns for the shell's text output (status), optionally coloured per cell
// without breaking the alignment. Standard library and Style only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shell/output.h"

namespace meadow::shell {

class TextTable {
 public:
  struct Cell {
    std::string text;
    std::optional<Colour> colour;
  };

  explicit TextTable(std::vector<std::string> header);
  /// Precondition: as many cells as header columns.
  void add_row(std::vector<Cell> cells);
  /// Header and rows, columns separated by two spaces, each line ending in '\n'.
  std::string render(const Style& style) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace meadow::shell
