"""Problems found in returned files, as typed records with stable codes (pure, no I/O).

Every record says where (file, unit, sheet, cell, criterion), what was found (value), a
Vietnamese message and a hint how to fix it. The table of codes below is the single source:
``docs/issues.md`` is generated from it (``hue-dx issue-types``) so docs cannot drift.

Severity: "error" (the file or criterion cannot be scored as sent: it scores 0 or is left
out), "warning" (read, but someone should look), "info" (for the record).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .sanitize import for_terminal

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_VI = {ERROR: "lỗi", WARNING: "cảnh báo", INFO: "thông tin"}  # what a person reads


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: str
    title: str
    message: str  # str.format template
    hint: str
    #: characters of a value quoted in the message (a cell's text is cut; a criteria workbook's hints quote whole help texts)
    shown: int = 60

    @property
    def fixed(self) -> bool:
        """True when neither the message nor the hint has a placeholder."""
        return "{" not in self.message and "{" not in self.hint


_TYPES = [
    # whole files
    IssueType("file-empty", ERROR, "Tệp rỗng", "Tệp không có nội dung (0 byte).", "Gửi lại tệp sổ đánh giá đã điền."),
    IssueType("file-too-large", ERROR, "Tệp quá lớn", "Tệp quá lớn để là sổ đánh giá ({value}).", "Gửi đúng tệp sổ đánh giá (khoảng 100 KB)."),
    IssueType("file-not-workbook", ERROR, "Không phải sổ Excel", "Tệp không phải sổ Excel .xlsx ({value}).",
              "Gửi đúng tệp sổ đánh giá .xlsx đã nhận từ Sở Thông tin và Truyền thông."),
    IssueType("file-xls", ERROR, "Định dạng .xls cũ", "Tệp ở định dạng Excel 97-2003 (.xls), không đọc được tên ô và thuộc tính của sổ.",
              "Mở tệp, chọn Lưu thành (Save As) kiểu 'Excel Workbook (*.xlsx)' rồi gửi lại."),
    IssueType("file-ods", ERROR, "Định dạng .ods", "Tệp ở định dạng OpenDocument (.ods).",
              "Trong LibreOffice chọn Lưu thành, kiểu 'Excel 2007-365 (.xlsx)', giữ định dạng khi được hỏi, rồi gửi lại."),
    IssueType("file-encrypted", ERROR, "Tệp có mật khẩu", "Tệp được đặt mật khẩu mở tệp nên không đọc được.",
              "Gỡ mật khẩu mở tệp (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu: để trống) rồi gửi lại."),
    IssueType("file-corrupt", ERROR, "Tệp hỏng", "Tệp bị hỏng, không giải nén được ({value}).",
              "Mở thử tệp trên máy đơn vị; nếu mở được, lưu lại và gửi lại; nếu không, điền lại từ sổ gốc."),
    IssueType("file-zip-bomb", ERROR, "Tệp nén bất thường", "Tệp nén bất thường, có thể là tệp độc hại ({value}); không đọc.",
              "Gửi lại đúng tệp sổ đánh giá; báo bộ phận CNTT kiểm tra máy gửi."),
    IssueType("file-xml-entities", ERROR, "Khai báo XML bất thường", "Tệp chứa khai báo DTD/ENTITY không có trong sổ Excel ({value}); không đọc.",
              "Gửi lại đúng tệp sổ đánh giá; báo bộ phận CNTT kiểm tra máy gửi."),
    IssueType("file-macro", WARNING, "Tệp có macro", "Tệp có macro (VBA). Macro không bao giờ được chạy; chỉ đọc số liệu.",
              "Lưu lại dưới dạng .xlsx (không macro) cho các lần sau."),
    IssueType("file-duplicate", INFO, "Tệp trùng", "Tệp giống hệt tệp đã nhận trước đó ({value}).", "Không cần làm gì."),
    IssueType("file-other", INFO, "Không phải sổ đánh giá", "Tệp không phải sổ đánh giá ({value}): đã lưu vào kho, không chấm.",
              "Không cần làm gì nếu là tài liệu gửi kèm; nếu đây là sổ đánh giá, đề nghị đơn vị gửi lại đúng tệp .xlsx."),
    IssueType("file-other-period", INFO, "Tệp của kỳ khác", "Tệp của {value}, không phải kỳ đang tổng hợp ({read}): đã ghi nhận cho kỳ của tệp.",
              "Không cần làm gì nếu đơn vị gửi bổ sung kỳ trước; nếu gửi nhầm, đề nghị đơn vị gửi đúng sổ của kỳ này."),
    IssueType("archive-too-deep", WARNING, "Tệp nén lồng nhau quá sâu", "Tệp nén lồng nhau quá {read} lớp: phần bên trong không được mở ({value}).",
              "Đề nghị đơn vị gửi sổ trực tiếp, hoặc trong một tệp nén một lớp."),
    IssueType("file-internal-error", ERROR, "Lỗi không lường trước",
              "Gặp lỗi không lường trước khi đọc tệp ({value}); tệp đã được lưu vào kho nhưng chưa chấm.",
              "Báo cho người phụ trách hue-dx kèm tệp trong kho lưu trữ; trong khi chờ, xem tệp bằng Excel."),
    IssueType("file-blank", WARNING, "Sổ chưa có số liệu", "Sổ chưa có số liệu nào (mọi ô số liệu để trống hoặc không đọc được): "
              "đã lưu vào kho nhưng không tính là đơn vị đã gửi số liệu.", "Đề nghị đơn vị điền số liệu vào sổ rồi gửi lại."),
    IssueType("file-fewer-figures", WARNING, "Bản mới có ít số liệu hơn",
              "Bản mới nhất có ít ô số liệu hơn một bản trước của đơn vị ({value}); đang dùng bản mới nhất.",
              "Hỏi lại đơn vị; nếu bản trước mới đúng, chọn bản đó: hue-dx choose MÃ_ĐƠN_VỊ SHA256 --reason \"…\"."),
    IssueType("file-chosen", INFO, "Tệp do cán bộ chọn", "Tệp này được dùng cho đơn vị theo quyết định của cán bộ ({value}).", "Không cần làm gì."),
    IssueType("file-superseded", INFO, "Đã có bản mới hơn", "Tệp đã được thay bằng bản mới hơn của cùng đơn vị ({value}).", "Không cần làm gì."),
    IssueType("file-late", WARNING, "Gửi muộn", "Tệp gửi sau hạn: ngày {value} ({read}).", "Ghi nhận; gửi đúng hạn ở các kỳ sau."),
    IssueType("mail-reply-unknown-sender", INFO, "Thư trả lời từ địa chỉ lạ",
              "Thư trả lời {read} của hue-dx được gửi từ địa chỉ {value}, không có trong danh sách đơn vị.",
              "Hỏi lại đơn vị đây có phải địa chỉ của đơn vị không; nếu phải, thêm vào cột email của danh sách đơn vị (cách nhau bằng ';')."),
    # identity
    IssueType("identity-missing", ERROR, "Không phải sổ do hue-dx tạo", "Tệp không có thông tin nhận diện của sổ đánh giá (mã bộ tiêu chí, kỳ, mã đơn vị).",
              "Điền số liệu vào đúng sổ đánh giá đã nhận, không sao chép sang tệp mới."),
    IssueType("identity-conflict", WARNING, "Thông tin nhận diện không khớp", "Thuộc tính tệp và tên định nghĩa ghi khác nhau: {value}.",
              "Không sửa thuộc tính hay tên định nghĩa của sổ."),
    IssueType("catalog-other", ERROR, "Khác bộ tiêu chí", "Sổ thuộc bộ tiêu chí {value}, không phải bộ tiêu chí của đợt đánh giá này.",
              "Điền vào sổ của đợt đánh giá hiện tại."),
    IssueType("period-other", ERROR, "Khác kỳ đánh giá", "Sổ thuộc kỳ {value}, không phải kỳ của đợt đánh giá này.", "Điền vào sổ của kỳ hiện tại."),
    IssueType("unit-unknown", ERROR, "Đơn vị không có trong danh sách", "Mã đơn vị {value} không có trong danh sách đơn vị của đợt đánh giá.",
              "Kiểm tra lại: đơn vị chỉ điền vào sổ mang đúng mã của mình."),
    IssueType("level-mismatch", WARNING, "Sai cấp đơn vị", "Sổ được tạo cho cấp {value}, khác cấp của đơn vị trong danh sách; chấm theo cấp trong danh sách.",
              "Điền vào sổ mang đúng mã đơn vị."),
    IssueType("layout-changed", WARNING, "Bố cục hoặc công thức bị thay đổi",
              "Bố cục hoặc công thức của sổ khác bản gốc ({value}). Điểm được tính lại từ số liệu, không dùng công thức trong tệp.",
              "Không chèn, xóa dòng hay sửa công thức; nếu cần, điền lại vào sổ gốc."),
    IssueType("sheet-missing", ERROR, "Thiếu trang", "Sổ thiếu trang {value}.", "Không xóa trang nào của sổ; điền lại vào sổ gốc."),
    IssueType("sheet-copy", WARNING, "Trang sao chép", "Sổ có thêm trang '{value}', bản sao của trang '{read}': số liệu chỉ được đọc từ trang gốc.",
              "Xóa trang sao chép; nếu số liệu đúng nằm ở trang sao chép, chép chúng vào trang gốc rồi gửi lại."),
    IssueType("sheet-renamed", INFO, "Trang bị đổi tên", "Trang '{value}' đã bị đổi tên thành '{read}'; số liệu vẫn được đọc đủ.",
              "Không đổi tên các trang của sổ."),
    IssueType("formula-changed", WARNING, "Công thức bị sửa", "Công thức ở ô này khác bản gốc: {value} (bản gốc: {read}).",
              "Không sửa công thức; điểm được tính lại từ số liệu. Điền lại vào sổ gốc nếu cần."),
    IssueType("score-overwritten", WARNING, "Ô tự tính bị ghi đè", "Ô tự tính bị ghi đè bằng giá trị {value}; công thức gốc ({read}) đã mất.",
              "Không gõ vào ô màu xám; điểm được tính lại từ số liệu. Điền lại vào sổ gốc nếu cần."),
    IssueType("names-by-position", INFO, "Đọc theo vị trí", "Sổ đã mất các tên ô định nghĩa nhưng bố cục đúng bản gốc: số liệu được đọc theo vị trí ô.",
              "Không cần làm gì; lần sau không xóa tên trong Name Manager."),
    IssueType("rows-shifted", WARNING, "Dòng bị chèn hoặc xóa", "Ô của {value} đã dịch chỗ so với bản gốc (có dòng bị chèn hoặc xóa).",
              "Không chèn, xóa dòng; số liệu vẫn được đọc theo tên ô."),
    IssueType("name-missing", ERROR, "Mất ô số liệu", "Không tìm thấy ô '{value}' (ô hoặc dòng đã bị xóa).", "Điền lại vào sổ gốc."),
    # cells
    IssueType("input-missing", ERROR, "Thiếu số liệu", "Ô số liệu {value} để trống.", "Nhập số liệu; nếu là 0 thì nhập 0."),
    IssueType("input-central-blank", INFO, "Số liệu của Sở chưa điền sẵn",
              "Ô {value} là số liệu do Sở cung cấp nhưng sổ chưa có (sổ được tạo khi chưa có số liệu của Sở); đơn vị không cần điền.",
              "Không cần làm gì: khi tổng hợp, hue-dx dùng số liệu của Sở (hue-dx consolidate --central TỆP.csv)."),
    IssueType("input-text-number", ERROR, "Số ghi dạng chữ", "Ô chứa chữ '{value}' (có lẽ là số {read}); sổ không tính ô chứa chữ nên tiêu chí bị 'lỗi'.",
              "Xóa ô rồi gõ lại bằng số, không dấu cách, không dấu nháy, không chấm phân cách hàng nghìn."),
    IssueType("input-not-number", ERROR, "Không phải số", "Ô chứa '{value}', không phải là số.",
              "Nhập bằng chữ số; nếu không có thì nhập 0 và ghi giải trình ở cột tài liệu kiểm chứng."),
    IssueType("input-negative", ERROR, "Số âm", "Ô chứa số âm ({value}).", "Nhập số không âm."),
    IssueType("input-too-large", ERROR, "Số lớn bất thường", "Ô chứa {value}, lớn hơn mức hợp lý của loại số liệu này ({read}).",
              "Kiểm tra lại (gõ thừa chữ số?); nếu số liệu đúng là như vậy, ghi giải trình và báo Sở Thông tin và Truyền thông."),
    IssueType("input-fraction", ERROR, "Số lẻ ở ô đếm", "Ô đếm số lượng chứa số lẻ ({value}).", "Nhập số nguyên (đếm số lượng)."),
    IssueType("input-percent", ERROR, "Tỷ lệ phần trăm ở ô số lượng", "Ô chứa '{value}', đọc là tỷ lệ phần trăm ({read}); ô này cần một số lượng.",
              "Nhập số lượng đếm được (ví dụ số văn bản, số người), không nhập tỷ lệ %: sổ tự tính tỷ lệ từ các số lượng."),
    IssueType("input-composed", ERROR, "Chữ gõ bằng Unicode tổ hợp",
              "Ô chứa '{value}' gõ bằng Unicode tổ hợp (dấu tách khỏi chữ), trông như '{read}' nhưng sổ không nhận là một lựa chọn của ô.",
              "Xóa ô rồi chọn lại trong danh sách của ô; nếu gõ tay, đặt bộ gõ (Unikey, EVKey) ở bảng mã 'Unicode dựng sẵn' rồi gõ lại."),
    IssueType("input-yesno", ERROR, "Sai giá trị Có/Không", "Ô chứa '{value}', không phải Có hoặc Không (có lẽ là '{read}').",
              "Xóa ô rồi chọn Có hoặc Không trong danh sách (không gõ tay, không thêm dấu cách)."),
    IssueType("input-choice", ERROR, "Sai mức chọn", "Ô chứa '{value}', không thuộc các mức của tiêu chí (có lẽ là '{read}').",
              "Xóa ô rồi chọn một mức trong danh sách của ô (không gõ tay)."),
    IssueType("input-error-value", ERROR, "Ô lỗi", "Ô số liệu chứa giá trị lỗi {value}.", "Xóa công thức trong ô số liệu và nhập số."),
    IssueType("input-formula", WARNING, "Công thức trong ô số liệu", "Ô số liệu chứa công thức {value}; đã dùng giá trị tính được ({read}).",
              "Gõ số liệu trực tiếp vào ô, không dùng công thức."),
    IssueType("input-formula-unknown", ERROR, "Công thức chưa có giá trị",
              "Ô số liệu chứa công thức {value} nhưng tệp không lưu giá trị tính; không đọc được số liệu.",
              "Gõ số liệu trực tiếp vào ô, không dùng công thức; mở và lưu lại tệp bằng Excel trước khi gửi."),
    IssueType("inconsistent", ERROR, "Số liệu mâu thuẫn", "Số liệu mâu thuẫn: {value}.", "Kiểm tra lại: phần không thể lớn hơn tổng."),
    IssueType("evidence-missing", WARNING, "Thiếu tài liệu kiểm chứng", "Tiêu chí có điểm nhưng không ghi tài liệu kiểm chứng.",
              "Ghi số, ngày, trích yếu và đường dẫn của văn bản, hoặc giải trình."),
    IssueType("score-differs", WARNING, "Điểm trong tệp khác điểm tính lại", "Điểm trong tệp là {value}, điểm tính lại là {read}.",
              "Điểm xếp hạng dùng điểm tính lại; kiểm tra xem công thức hay số liệu đã bị sửa."),
    IssueType("not-calculated", INFO, "Sổ chưa được tính", "Tệp chưa lưu giá trị tính (chưa mở bằng Excel hoặc LibreOffice sau khi điền).",
              "Không cần làm gì: điểm được tính lại từ số liệu."),
    IssueType("contact-missing", WARNING, "Thiếu người lập biểu", "Chưa ghi {value} ở trang Thông tin đơn vị.", "Ghi đủ người lập biểu và thủ trưởng đơn vị."),
    # appraisal
    IssueType("appraisal-no-reason", WARNING, "Thẩm định không ghi lý do", "Số liệu thẩm định khác số liệu đơn vị nhưng không ghi lý do.",
              "Ghi lý do thẩm định ở cột 'Ý kiến, lý do thẩm định'."),
    IssueType("appraisal-conflict", WARNING, "Thẩm định khác nhau", "Tiêu chí có các ý kiến thẩm định khác nhau: {value}; dùng bản lưu sau cùng.",
              "Các bên thẩm định thống nhất và gửi lại một phiếu."),
    IssueType("appraisal-unknown-file", WARNING, "Thẩm định sổ khác", "Phiếu thẩm định lập cho sổ {value}, không phải sổ đang dùng của đơn vị.",
              "Lập lại phiếu thẩm định từ sổ mới nhất (hue-dx appraise)."),
    # figures the Sở supplies for every unit (hue-dx consolidate --central, generate --central)
    IssueType("central-unit-unknown", WARNING, "Đơn vị không có trong danh sách",
              "Tệp số liệu của Sở ghi mã đơn vị '{value}', không có trong danh sách đơn vị của đợt đánh giá; dòng này không được dùng.",
              "Sửa mã đơn vị cho đúng danh sách (cột code của tệp danh sách đơn vị)."),
    IssueType("central-input-unknown", WARNING, "Không có số liệu này",
              "Tệp số liệu của Sở ghi số liệu '{value}', không có trong bộ tiêu chí; dòng này không được dùng.",
              "Ghi đúng mã tiêu chí (cột code) và tên số liệu (cột key: a, b, …) như hue-dx catalog show MÃ in ra."),
    IssueType("central-not-central", WARNING, "Số liệu do đơn vị tự khai",
              "Số liệu '{value}' do đơn vị tự khai, không phải số liệu Sở cung cấp; dòng này không được dùng.",
              "Bỏ dòng này; muốn Sở cung cấp số liệu này cho mọi đơn vị thì đánh dấu 'Sở cung cấp' ở trang Số liệu của bộ tiêu chí."),
    IssueType("central-value-blank", WARNING, "Số liệu của Sở để trống", "Dòng của số liệu {value} chưa ghi giá trị; không được dùng.",
              "Ghi giá trị ở cột value; nếu là 0 thì ghi 0."),
    IssueType("central-value-bad", WARNING, "Số liệu của Sở không dùng được", "Giá trị '{value}' không dùng được ({read}).",
              "Ghi số bằng chữ số (dấu thập phân là dấu chấm hoặc dấu phẩy, không phân cách hàng nghìn); Có/Không và các mức chọn "
              "đúng như trong sổ đánh giá."),
    IssueType("central-duplicate", WARNING, "Số liệu của Sở ghi hai lần", "Số liệu {value} của đơn vị đã ghi ở dòng {read}; dùng dòng sau cùng.",
              "Giữ một dòng cho mỗi đơn vị và số liệu."),
    IssueType("central-missing", WARNING, "Sở chưa cung cấp đủ số liệu",
              "Tệp số liệu của Sở chưa có số liệu {value} của đơn vị: dùng số liệu trong sổ của đơn vị (ô điền sẵn khi tạo sổ).",
              "Bổ sung vào tệp số liệu của Sở rồi tổng hợp lại."),
    # a criteria workbook written by an officer (hue-dx catalog build): sheet and cell say where
    IssueType("cb-sheet-missing", ERROR, "Thiếu trang", "Sổ bộ tiêu chí thiếu trang «{value}».",
              "Thêm trang này (xem mẫu: hue-dx catalog export -o bo-tieu-chi.xlsx), giữ đúng tên trang."),
    IssueType("cb-sheet-misspelled", ERROR, "Tên trang viết sai", "Trang «{value}» không phải tên trang của sổ bộ tiêu chí.",
              "Có lẽ là «{read}»: đổi tên trang cho đúng."),
    IssueType("cb-sheet-unknown", WARNING, "Trang không được đọc", "Trang «{value}» không được đọc (không phải trang của sổ bộ tiêu chí).",
              "Không cần làm gì nếu là trang ghi chép riêng; các trang được đọc: {read}."),
    IssueType("cb-column-missing", ERROR, "Thiếu cột", "Trang thiếu cột «{value}» ở dòng tiêu đề (dòng 1); không đọc được các dòng của trang.",
              "Thêm cột có tiêu đề «{value}» ở dòng 1."),
    IssueType("cb-column-misspelled", ERROR, "Tên cột viết sai", "Cột «{value}» không phải cột của trang này.",
              "Có lẽ là «{read}»: sửa tiêu đề cột ở dòng 1 cho đúng."),
    IssueType("cb-column-unknown", WARNING, "Cột không được đọc", "Cột «{value}» không được đọc.",
              "Không cần làm gì nếu là cột ghi chú riêng; xem các cột của trang ở trang Hướng dẫn."),
    IssueType("cb-setting-unknown", WARNING, "Mục không được đọc", "Trang Thông tin chung có mục «{value}» không được đọc.",
              "Sửa khóa của mục (có lẽ là «{read}»)."),
    IssueType("cb-setting-missing", ERROR, "Thiếu thông tin chung", "Chưa ghi «{value}».", "Ghi ở cột Giá trị: {read}"),
    IssueType("cb-id-bad", ERROR, "Mã bộ tiêu chí không hợp lệ", "Mã bộ tiêu chí «{value}» không hợp lệ.",
              "Dùng chữ thường không dấu, số và dấu '-', ví dụ hue-931-2024."),
    IssueType("cb-key-bad", ERROR, "Khóa không hợp lệ", "Khóa «{value}» không hợp lệ.", "Dùng chữ thường không dấu và số, bắt đầu bằng chữ: a, b, so, xa."),
    IssueType("cb-blank", ERROR, "Ô bắt buộc để trống", "Ô «{value}» để trống.", "Điền ô này: {read}"),
    IssueType("cb-not-number", ERROR, "Không phải số", "Ô «{read}» ghi «{value}», không phải là số.",
              "Ghi bằng chữ số (dấu thập phân là dấu phẩy hoặc dấu chấm), ví dụ 2 hoặc 0,5."),
    IssueType("cb-word-unknown", ERROR, "Giá trị không dùng được", "«{value}» không dùng được ở cột này.", "Sửa lại: {read}."),
    IssueType("cb-rule-unknown", ERROR, "Quy tắc chấm không có", "Quy tắc chấm «{value}» không có.", "Chọn quy tắc trong danh sách: {read}."),
    IssueType("cb-level-unknown", ERROR, "Cấp đơn vị không có", "Cấp «{value}» không có ở trang Cấp đơn vị.", "Ghi khóa của cấp: {read}."),
    IssueType("cb-code-bad", ERROR, "Mã không đúng dạng", "Mã «{value}» không đúng dạng số chấm số (1, 1.2, 1.2.3).", "Sửa mã như văn bản in."),
    IssueType("cb-code-number", WARNING, "Mã ghi dạng số", "Mã {value} được ghi dạng số: Excel bỏ số 0 cuối (5.10 thành 5.1).",
              "Ghi mã dạng chữ (gõ dấu nháy trước: '5.10) và kiểm tra lại mã."),
    IssueType("cb-code-duplicate", ERROR, "Mã bị trùng", "Mã {value} đã có ở dòng {read}; dòng này không được đọc.",
              "Sửa mã cho đúng văn bản, hoặc xóa dòng thừa."),
    IssueType("cb-code-unknown", ERROR, "Mã không có trong cây tiêu chí", "Mã «{value}» không có ở trang Cây tiêu chí.",
              "Sửa mã cho đúng (có lẽ là «{read}»), hoặc thêm dòng của mã này ở trang Cây tiêu chí."),
    IssueType("cb-input-duplicate", ERROR, "Số liệu bị trùng", "Số liệu {value} đã có; dòng này không được đọc.",
              "Đặt tên khác (a, b, c…) hoặc xóa dòng thừa."),
    IssueType("cb-input-unused", ERROR, "Số liệu không được dùng", "Số liệu {value} được khai báo nhưng quy tắc chấm của tiêu chí không dùng.",
              "Thêm {value} vào tử số, mẫu số, trọng số… của tiêu chí ở trang Cây tiêu chí, hoặc xóa dòng số liệu này."),
    IssueType("cb-input-undeclared", ERROR, "Số liệu chưa khai báo", "Quy tắc chấm dùng số liệu {value} nhưng trang Số liệu không khai báo.",
              "Thêm dòng số liệu {value} cho tiêu chí này ở trang Số liệu, hoặc sửa tên số liệu ở ô này."),
    IssueType("cb-param-bad", ERROR, "Tham số không đọc được", "Ô ghi «{value}», không đọc được.", "Viết theo mẫu: {read}."),
    IssueType("cb-param-unused", WARNING, "Tham số không dùng", "Cột «{value}» không dùng cho quy tắc «{read}»; bỏ qua.",
              "Xóa ô này, hoặc chọn quy tắc dùng cột này."),
    IssueType("cb-choices-missing", ERROR, "Thiếu các mức lựa chọn", "Tiêu chí {value} chọn một mức nhưng trang Lựa chọn chưa có mức nào.",
              "Thêm ở trang Lựa chọn mỗi mức một dòng: mã tiêu chí, nhãn, phần điểm tối đa."),
    IssueType("cb-decision-twice", ERROR, "Hai quyết định cho một nhóm", "Nhóm hoặc dòng {value} đã có quyết định; dòng này không được đọc.",
              "Gộp hai quyết định thành một dòng."),
    IssueType("cb-totals-differ", ERROR, "Tổng điểm không khớp", "{value}; chưa có quyết định.",
              "Sửa điểm tối đa của tiêu chí hoặc điểm in, hoặc ghi ở trang Quyết định (mã nhóm) cách hue-dx đọc chỗ này."),
    IssueType("cb-integrity", ERROR, "Bộ tiêu chí chưa toàn vẹn", "{value}.", "Sửa ô này theo thông báo; chạy lại hue-dx catalog build."),
    # campaign
    IssueType("unit-not-received", WARNING, "Chưa nhận được sổ", "Chưa nhận được sổ có số liệu của đơn vị ({value}).", "Nhắc đơn vị gửi sổ trước hạn."),
    # quarterly tracking of the plan's tasks (hue-dx tasks consolidate); file-level codes above apply too
    IssueType("tk-not-tracking", ERROR, "Không phải sổ báo cáo quý", "Tệp không phải sổ báo cáo quý triển khai Kế hoạch ({value}).",
              "Gửi sổ báo cáo quý do Sở Thông tin và Truyền thông gửi (tên tệp bắt đầu bằng kỳ báo cáo, ví dụ 2021-Q3_…); "
              "sổ tự đánh giá chuyển đổi số gửi ở đợt đánh giá năm."),
    IssueType("tk-tasks-other", ERROR, "Khác tệp nhiệm vụ", "Sổ lập theo tệp nhiệm vụ {value}, không phải tệp nhiệm vụ của đợt báo cáo quý này.",
              "Điền vào sổ báo cáo quý của đợt hiện tại."),
    IssueType("tk-period-bad", ERROR, "Kỳ báo cáo không đọc được", "Kỳ báo cáo ghi trong sổ ({value}) không đọc được.",
              "Điền vào sổ do Sở Thông tin và Truyền thông gửi, không sửa thông tin nhận diện của sổ."),
    IssueType("tk-file-other", INFO, "Không phải sổ báo cáo quý", "Tệp không phải sổ báo cáo quý ({value}): đã lưu vào kho, không đọc số liệu.",
              "Không cần làm gì nếu là tài liệu gửi kèm; nếu đây là báo cáo quý, đề nghị đơn vị gửi lại đúng sổ .xlsx."),
    IssueType("tk-fewer-figures", WARNING, "Bản mới có ít số liệu hơn",
              "Bản mới nhất có ít ô số liệu hơn một bản trước của đơn vị ({value}); đang dùng bản mới nhất.",
              "Hỏi lại đơn vị; nếu bản trước mới đúng, chọn bản đó: hue-dx tasks choose MÃ_ĐƠN_VỊ SHA256 --period KỲ --reason \"…\"."),
    IssueType("tk-period-other", INFO, "Sổ của kỳ khác", "Sổ của {value}, không phải kỳ đang tổng hợp ({read}): đã ghi nhận cho kỳ của sổ.",
              "Chạy lại tổng hợp kỳ của sổ để số liệu này được tính (hue-dx tasks consolidate --period …)."),
    IssueType("tk-layout-version", WARNING, "Sổ theo bố cục cũ",
              "Sổ được tạo với bố cục khác bố cục hiện tại của đơn vị (danh sách nhiệm vụ hoặc đơn vị đã thay đổi từ khi tạo sổ); "
              "số liệu được đọc theo tên ô.", "Từ kỳ sau dùng sổ mới do Sở Thông tin và Truyền thông gửi."),
    IssueType("tk-layout-changed", WARNING, "Bố cục hoặc công thức bị thay đổi",
              "Bố cục hoặc công thức của sổ khác bản gốc ({value}). Số liệu được đọc theo tên ô; cột Kiểm tra được tính lại từ số liệu.",
              "Không chèn, xóa dòng hay sửa công thức; nếu cần, điền lại vào sổ gốc."),
    IssueType("tk-check-changed", WARNING, "Công thức kiểm tra bị sửa", "Công thức ở ô này khác bản gốc: {value} (bản gốc: {read}).",
              "Không sửa công thức; hue-dx kiểm tra lại từng dòng từ số liệu."),
    IssueType("tk-check-overwritten", WARNING, "Ô kiểm tra bị ghi đè", "Ô tự tính bị ghi đè bằng giá trị {value}; công thức gốc ({read}) đã mất.",
              "Không gõ vào ô màu xám; hue-dx kiểm tra lại từng dòng từ số liệu."),
    IssueType("tk-status-unknown", ERROR, "Trạng thái không thuộc danh sách",
              "Trạng thái '{value}' không thuộc danh sách nên không được tính ({read}).",
              "Xóa ô rồi chọn trong danh sách của ô: chưa triển khai, đang triển khai, hoàn thành, chậm tiến độ, dừng."),
    IssueType("tk-number-text", ERROR, "Số ghi dạng chữ", "Ô chứa chữ '{value}' (có lẽ là số {read}); cột Kiểm tra báo lỗi và số này không được tổng hợp.",
              "Xóa ô rồi gõ lại bằng số (ô đang ở dạng chữ): phần trăm gõ 70 hoặc 70%; số tiền không dấu cách, không dấu chấm phân cách hàng nghìn."),
    IssueType("tk-not-number", ERROR, "Không phải số", "Ô chứa '{value}', không phải là số; không được tổng hợp.",
              "Nhập bằng chữ số: phần trăm từ 0 đến 100, số tiền bằng đồng (ví dụ 2000000000)."),
    IssueType("tk-percent-range", ERROR, "% hoàn thành ngoài 0–100", "% hoàn thành là {value}, phải từ 0 đến 100; không được tổng hợp.",
              "Nhập % hoàn thành từ 0 đến 100 (gõ 70 hoặc 70%, cả hai là 70 phần trăm)."),
    IssueType("tk-value-range", ERROR, "Giá trị chỉ tiêu ngoài 0–100", "Giá trị chỉ tiêu là {value}, phải là phần trăm từ 0 đến 100; không được tổng hợp.",
              "Nhập giá trị đạt được bằng phần trăm từ 0 đến 100 (gõ 70 hoặc 70%, cả hai là 70 phần trăm)."),
    IssueType("tk-negative", ERROR, "Số âm", "Ô chứa số âm ({value}); không được tổng hợp.", "Nhập số không âm."),
    IssueType("tk-disbursed-over", WARNING, "Giải ngân lớn hơn kinh phí được giao",
              "Kinh phí đã giải ngân trong kỳ ({value} đồng) lớn hơn kinh phí được giao trong kỳ ({read} đồng).",
              "Kiểm tra lại hai ô; nếu giải ngân cả kinh phí giao từ kỳ trước, ghi rõ ở cột khó khăn, vướng mắc."),
    IssueType("tk-date-text", WARNING, "Ngày gõ dạng chữ", "Ngày của số liệu gõ dạng chữ '{value}'; đã đọc là ngày {read}.",
              "Gõ ngày dạng ngày/tháng/năm để Excel nhận là ngày (ô căn phải), không gõ dấu nháy."),
    IssueType("tk-date-unreadable", ERROR, "Ngày không đọc được", "Ngày của số liệu '{value}' không đọc được; không được tổng hợp.",
              "Gõ ngày dạng ngày/tháng/năm, ví dụ 10/09/2021."),
    IssueType("tk-date-range", WARNING, "Ngày ngoài kỳ hợp lý", "Ngày của số liệu {value} nằm ngoài khoảng từ 01/01/2020 đến hạn gửi ({read}).",
              "Kiểm tra lại ngày (gõ nhầm năm?)."),
    IssueType("tk-row-incomplete", WARNING, "Dòng chưa đủ", "Dòng chưa đủ: {value}.", "Sửa dòng cho đến khi cột Kiểm tra là \"đủ\"."),
    IssueType("tk-rows-blank", WARNING, "Dòng chưa báo cáo", "Chưa báo cáo {value}.",
              "Báo cáo đủ các dòng được giao; dòng không có tiến triển thì chọn lại trạng thái như kỳ trước."),
    IssueType("tk-unchanged", INFO, "Không cập nhật so với quý trước", "Sổ gửi về giữ nguyên mọi số liệu điền sẵn từ {value}.",
              "Hỏi lại đơn vị nếu trong kỳ có tiến triển."),
    IssueType("tk-conflict", WARNING, "Chủ trì và phối hợp báo cáo khác nhau", "Đơn vị chủ trì và đơn vị phối hợp báo cáo khác nhau: {value}.",
              "Sở Thông tin và Truyền thông đề nghị các đơn vị thống nhất và báo cáo lại ở kỳ sau."),
    IssueType("tk-overdue", WARNING, "Nhiệm vụ quá hạn", "Nhiệm vụ quá thời hạn ({value}) nhưng chưa hoàn thành ({read}).",
              "Đơn vị chủ trì báo cáo nguyên nhân, giải pháp và thời hạn hoàn thành mới."),
    IssueType("tk-over-budget", WARNING, "Giải ngân vượt Phụ lục 5",
              "Kinh phí đã giải ngân lũy kế ({value}) vượt kinh phí dự kiến ở Phụ lục 5 ({read}).",
              "Kiểm tra lại số liệu giải ngân; nếu đúng, đề xuất điều chỉnh kinh phí."),
]
# A criteria workbook's messages quote the officer's own text and the columns' help in full.
_TYPES = [IssueType(t.code, t.severity, t.title, t.message, t.hint, 200) if t.code.startswith("cb-") else t for t in _TYPES]
TYPES: dict[str, IssueType] = {t.code: t for t in _TYPES}


class Issue(NamedTuple):
    """One problem found (immutable; a named tuple: thousands are made per run)."""

    code: str
    severity: str
    message: str
    hint: str
    file: str = ""  # the file as received: its path, or archive.zip!/member
    unit: str = ""
    sheet: str = ""
    cell: str = ""
    criterion: str = ""
    value: str = ""
    read: str = ""  # what the value was read as, when it was read at all (e.g. "12,5" read as 12.5)
    sha: str = ""  # the first characters of the file's SHA-256: two files of one name told apart

    def as_dict(self) -> dict[str, str]:
        return self._asdict()


VALUE_LIMIT = 200  # characters of a found value kept in a record (a cell can hold 32,767)
SHOWN_LIMIT = 60  # characters of it quoted inside a message
SHA_SHOWN = 12


def cut(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters, an ellipsis saying that something was left out."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown(text: str) -> str:
    """Text as quoted in a message a person reads: invisible control characters become the
    visible Unicode symbols for them (a line break pasted from Word shows as ␋, never as an
    escape sequence that could act on a terminal)."""
    return for_terminal(text)


# A detail in brackets is left out with its words when there is nothing to show ("(bản gốc: )",
# "(có lẽ là số )" would only puzzle the reader).
_OPTIONAL = {key: re.compile(r" \([^()]*\{" + key + r"\}[^()]*\)") for key in ("value", "read")}


def issue(code: str, *, file: str = "", unit: str = "", sheet: str = "", cell: str = "", criterion: str = "",
          value: object = "", read: object = "", sha: str = "") -> Issue:
    kind = TYPES[code]
    found = "" if value is None else cut(str(value), VALUE_LIMIT)
    read_as = "" if read is None else cut(str(read), VALUE_LIMIT)
    sha = sha[:SHA_SHOWN]
    if kind.fixed:  # most records (one per criterion without evidence) have fixed wording
        return Issue(code, kind.severity, kind.message, kind.hint, file, unit, sheet, cell, criterion, found, read_as, sha)
    message, hint = kind.message, kind.hint
    for key, given in (("value", found), ("read", read_as)):
        if not given:  # no detail: no empty brackets
            message, hint = _OPTIONAL[key].sub("", message), _OPTIONAL[key].sub("", hint)
    words = {"value": shown(cut(found, kind.shown)), "read": shown(cut(read_as, kind.shown))}
    return Issue(code, kind.severity, message.format(**words), hint.format(**words), file, unit, sheet, cell, criterion,
                 found, read_as, sha)


def markdown_table() -> str:
    """docs/issues.md: every code with its severity, message and hint."""
    lines = ["# Mã vấn đề của tệp gửi về", "", "Sinh bằng `hue-dx issue-types > docs/issues.md`; nguồn: `hue_dx/issues.py`. Mức *lỗi*: tệp hoặc tiêu chí không "
             "chấm được như đã gửi (0 điểm hoặc bị loại); *cảnh báo*: đã đọc nhưng cần xem; *thông tin*: để lưu vết.", "",
             "Các chính sách (chi tiết: [consolidate.md](consolidate.md)):", "",
             "- **Một con số ở mọi nơi**: ô số liệu được đọc đúng như công thức của chính sổ đọc nó. Chữ trong ô số (kể cả \"12\", "
             "\"1.234\") là lỗi `input-text-number`, như ô trạng thái của sổ báo \"lỗi\"; thông báo nói số đơn vị có lẽ định nhập.",
             "- **Giá trị hợp lý**: mỗi số liệu có mức lớn nhất ghi trong bộ tiêu chí; vượt mức là lỗi `input-too-large` tại ô.",
             "- **Thế nào là đã gửi**: sổ không có số liệu (`file-blank`) được lưu và liệt kê nhưng đơn vị vẫn là chưa gửi; "
             "tệp được dùng là bản có số liệu gửi sau cùng (theo ngày của thư gửi tệp; tệp không đến qua thư: theo lúc lưu); "
             "bản sau có ít số liệu hơn bị nêu (`file-fewer-figures`); cán bộ chọn bản khác bằng `hue-dx choose` "
             "(báo cáo quý: `hue-dx tasks choose`) (`file-chosen`).",
             "- **Mọi tệp đều được kể**: tệp không phải sổ (`file-other`), tệp nén lồng quá 3 lớp (`archive-too-deep`), "
             f"tệp đính kèm thư .eml, .mbox; mọi bản ghi nêu đường dẫn khi nhận và {SHA_SHOWN} ký tự đầu của SHA-256.",
             "- **Không tệp nào làm dừng lần chạy**: lỗi không lường trước của một tệp là bản ghi `file-internal-error` của tệp đó.",
             "",
             "| Mã | Mức | Vấn đề | Thông báo | Cách sửa |", "|---|---|---|---|---|"]
    for t in _TYPES:
        lines.append(f"| `{t.code}` | {SEVERITY_VI[t.severity]} | {t.title} | {t.message} | {t.hint} |")
    return "\n".join(lines) + "\n"
