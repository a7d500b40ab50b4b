// The diary: visits newest first with their times, the upload status, editing a visit's
// times, deleting a visit (after a confirmation), and exporting it as CSV through the share
// sheet. An exposure notification opens it
// at the matching visit (`highlight`).

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct DiaryView: View {
    @State private var vm: DiaryViewModel
    let diary: VisitDiary
    let highlight: Int64?
    @State private var tick = 0
    @State private var editing: Int64?
    @State private var start = ""
    @State private var end = ""
    @State private var csv: String?

    init(diary: VisitDiary, highlight: Int64?) {
        self.diary = diary
        self.highlight = highlight
        _vm = State(initialValue: DiaryViewModel(diary: diary))
    }

    var body: some View {
        let _ = tick
        List {
            Text(Texts.text(vm.status))
            if let error = vm.error { Text(Texts.text(error)).foregroundColor(.red) }
            if let csv { ShareLink(Texts.text("export_diary"), item: csv) }
            ForEach(vm.rows, id: \.id) { row in
                VStack(alignment: .leading) {
                    Text(row.venue).font(row.id == highlight ? .headline : .body)
                    Text(Texts.text(row.period)).font(.caption)
                    if !row.verified { Text(Texts.text("unverified_visit")).font(.caption) }
                    if vm.deleting?.id == row.id, let question = vm.deleteQuestion {
                        Text(Texts.text(question))
                        Button(Texts.text("delete_visit")) {
                            Task { @MainActor in
                                await vm.confirmDelete()
                                Texts.announce(vm.takeAnnouncement())
                                await reload()
                            }
                        }
                        Button(Texts.text("cancel")) { vm.cancelDelete(); tick += 1 }
                    } else if editing == row.id {
                        TextField(Texts.text("checked_in_time"), text: $start)
                        TextField(Texts.text("checked_out_time"), text: $end)
                        Button(Texts.text("save")) {
                            Task { @MainActor in
                                if let a = parseTime(start), let b = parseTime(end),
                                   await vm.edit(visitId: row.id, checkedInAt: a, checkedOutAt: b) {
                                    editing = nil
                                }
                                await reload()
                            }
                        }
                    } else {
                        Button(Texts.text("edit_times")) { Task { @MainActor in await openEditor(row.id) } }
                        Button(Texts.text("delete_visit")) { vm.askDelete(row.id); tick += 1 }
                    }
                }
                // Several buttons in one row: borderless, so a tap fires only the one touched.
                .buttonStyle(.borderless)
                .accessibilityElement(children: .combine)
            }
        }
        .task(id: highlight) {
            await reload()
            if let highlight { await openEditor(highlight) }
        }
    }

    private func reload() async {
        await vm.refresh()
        csv = try? await vm.export(Texts.language)
        tick += 1
    }

    /// Opens the editor of one visit with its current times.
    private func openEditor(_ id: Int64) async {
        guard let visit = await visitForAlert(diary, id) else { return }
        start = formatTime(visit.checkedInAt)
        end = formatTime(visit.checkedOutAt ?? visit.autoCheckoutAt)
        editing = id
    }
}
