public enum VanThuCorePlaceholder {}
