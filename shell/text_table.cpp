#include "shell/text_table.h"

#include <algorithm>

#include "common/assert.h"

namespace meadow::shell {

TextTable::TextTable(std::vector<std::string> header) : header_(std::move(header)) {}

void TextTable::add_row(std::vector<Cell> cells) {
  MEADOW_ASSERT(cells.size() == header_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(const Style& style) const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    width[c] = header_[c].size();
    for (const auto& row : rows_) width[c] = std::max(width[c], row[c].text.size());
  }
  auto line = [&](const std::vector<Cell>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool last = c + 1 == cells.size();
      std::string text = cells[c].text;
      if (!last) text.resize(width[c], ' ');  // pad before painting: escapes have no width
      out += cells[c].colour ? style.paint(text, *cells[c].colour) : text;
      if (!last) out += "  ";
    }
    return out + "\n";
  };
  std::vector<Cell> head;
  for (const auto& h : header_) head.push_back({h, Colour::bold});
  std::string out = line(head);
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace meadow::shell
