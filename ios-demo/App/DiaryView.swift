// The diary: visits newest first with their times, the upload status, editing a visit's
// times, and exporting it as CSV through the share sheet. An exposure notification opens it
// at the matching visit (`highlight`).

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct DiaryView: View {
    @State private var vm: DiaryViewModel
    let diary: Diary
    let highlight: Int64?
    @State private var tick = 0
    @State private var editing: Int64?
    @State private var start = ""
    @State private var end = ""

    init(diary: Diary, highlight: Int64?) {
        self.diary = diary
        self.highlight = highlight
        _vm = State(initialValue: DiaryViewModel(diary: diary))
    }

    var body: some View {
        let _ = tick
        List {
            Text(Texts.text(vm.status))
            if let error = vm.error { Text(Texts.text(error)).foregroundColor(.red) }
            if let csv = try? vm.export(Texts.language) {
                ShareLink(Texts.text("export_diary"), item: csv)
            }
            ForEach(vm.rows, id: \.id) { row in
                VStack(alignment: .leading) {
                    Text(row.venue).font(row.id == highlight ? .headline : .body)
                    Text(Texts.text(row.period)).font(.caption)
                    if !row.verified { Text(Texts.text("unverified_visit")).font(.caption) }
                    if editing == row.id {
                        TextField(Texts.text("checked_in_time"), text: $start)
                        TextField(Texts.text("checked_out_time"), text: $end)
                        Button(Texts.text("save")) {
                            if let a = parseTime(start), let b = parseTime(end), vm.edit(visitId: row.id, checkedInAt: a, checkedOutAt: b) {
                                editing = nil
                            }
                            tick += 1
                        }
                    } else {
                        Button(Texts.text("edit_times")) {
                            let visit = visitForAlert(diary, row.id)
                            start = visit.map { formatTime($0.checkedInAt) } ?? ""
                            end = visit.map { formatTime($0.checkedOutAt ?? $0.autoCheckoutAt) } ?? ""
                            editing = row.id
                        }
                    }
                }
                .accessibilityElement(children: .combine)
            }
        }
        .onAppear { vm.refresh(); editing = highlight; tick += 1 }
    }
}
